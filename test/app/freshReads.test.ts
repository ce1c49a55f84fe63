import { FreshReads } from '../../src/app/reviews/freshReads';

const deferred = <T>() => {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

describe('FreshReads', () => {
  test('callers arriving during a read share the next read, never the running one', async () => {
    const reads: Array<ReturnType<typeof deferred<number>>> = [];
    const fetch = () => {
      const d = deferred<number>();
      reads.push(d);
      return d.promise;
    };
    const fr = new FreshReads<number>();
    const a = fr.read('k', fetch); // starts read 0
    const b = fr.read('k', fetch); // queued for read 1
    const c = fr.read('k', fetch); // joins read 1
    expect(reads).toHaveLength(1);
    reads[0]?.resolve(10); // the store changes after read 0 began…
    expect(await a).toBe(10);
    await Promise.resolve();
    await Promise.resolve();
    expect(reads).toHaveLength(2); // …so b and c get a read that started after they asked
    reads[1]?.resolve(11);
    expect(await b).toBe(11);
    expect(await c).toBe(11);
    await Promise.resolve();
    expect(fr.size).toBe(0);
  });

  test('a failed read fails its callers only; the next read still runs', async () => {
    let n = 0;
    const fr = new FreshReads<number>();
    const fetch = () => (++n === 1 ? Promise.reject(new Error('down')) : Promise.resolve(n));
    const a = fr.read('k', fetch);
    const b = fr.read('k', fetch);
    await expect(a).rejects.toThrow('down');
    await expect(b).resolves.toBe(2);
  });

  test('keys are independent and a storm costs few reads', async () => {
    let reads = 0;
    const fr = new FreshReads<string>();
    const fetch = (v: string) => () =>
      new Promise<string>((res) => {
        reads++;
        setTimeout(() => res(v), 5);
      });
    const results = await Promise.all([
      ...Array.from({ length: 100 }, () => fr.read('x', fetch('x'))),
      ...Array.from({ length: 100 }, () => fr.read('y', fetch('y'))),
    ]);
    expect(results.filter((r) => r === 'x')).toHaveLength(100);
    expect(results.filter((r) => r === 'y')).toHaveLength(100);
    expect(reads).toBe(4); // two reads per key: the running one and the shared next one
  });
});
