import { checkDistrictReferences, checkOpenReviews } from './districtChecks';
import { readDocuments } from './documents';
import { type CheckResult, type StoreDocuments, startReport } from './report';
import {
  checkDuplicateVotes,
  checkInterruptedCloses,
  checkRoundResults,
  checkRoundTallies,
  checkVoteReferences,
  indexVotes,
} from './voteChecks';

/**
 * The consistency checks of `npm run doctor`, over the plain documents of the five collections as either store
 * holds them (NeDB files or MongoDB). Pure: no I/O, nothing written; the CLI (src/doctor.ts) reads the documents.
 *
 * What is checked (CheckId in ./report lists them): 1. closed round results and 2. round tally records against the
 * stored votes, 3. what each vote references, 4. interrupted closes, 6. duplicate votes (./voteChecks);
 * 5. district references and 7. one open review per rubric per district (./districtChecks); documents that cannot be read or are stored under another `_id`
 * (./documents, ./report).
 */

export type {
  CheckCounts,
  CheckId,
  CheckResult,
  CollectionName,
  Finding,
  PlainDoc,
  StoreDocuments,
} from './report';
export { TALLY_NAMESPACE } from './report';

/**
 * Runs every check over the documents. Each finding names the review, row, round (or district, member, document)
 * and what differs. Never throws on odd documents: those are reported as `malformed` and left out of the checks.
 */
export function checkStore(docs: StoreDocuments): CheckResult {
  const report = startReport();
  const records = readDocuments(docs, report);
  const votes = indexVotes(records.votes);
  checkRoundResults(records, votes, report);
  checkRoundTallies(records, votes, report);
  checkVoteReferences(records, votes, report);
  checkInterruptedCloses(records, report);
  checkDistrictReferences(records, report);
  checkOpenReviews(records, report);
  checkDuplicateVotes(records, report);
  return {
    documents: {
      districts: docs.districts.length,
      members: docs.members.length,
      reviews: docs.reviews.length,
      votes: docs.votes.length,
      kv: docs.kv.length,
      networks: docs.networks.length,
    },
    checked: report.checked,
    findings: report.finish(),
  };
}
