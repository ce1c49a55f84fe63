import { startMongoJavaServer } from './mongoServer';

export default async function globalSetup(): Promise<void> {
  if (process.env.MONGODB_URI) {
    process.env.MONGODB_TEST_SERVER = `external server at MONGODB_URI`;
    return;
  }
  const server = await startMongoJavaServer();
  process.env.MONGODB_URI = server.uri;
  process.env.MONGODB_TEST_SERVER = server.description;
  (globalThis as { __mongoServer?: typeof server }).__mongoServer = server;
}
