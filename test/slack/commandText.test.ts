import { commandTextFromSlack } from '../../src/adapters/slack/mrkdwn';

test("a picked channel (Slack's <#C…|name> link) reaches the command language as #id; quoted text stays as typed", () => {
  expect(commandTextFromSlack('building add "Oak" <#CB1|oak-team> <@UB1|bea>')).toBe(
    'building add "Oak" #CB1 <@UB1|bea>',
  );
  expect(commandTextFromSlack('building remove <#CB2>')).toBe('building remove #CB2');
  expect(commandTextFromSlack('decide 2 2 "see <#C0EVIL> and <#C1|x>" <#C2>')).toBe(
    'decide 2 2 "see <#C0EVIL> and <#C1|x>" #C2',
  );
  expect(commandTextFromSlack('reflect 1 1 “curly <#C3|y>”')).toBe('reflect 1 1 “curly <#C3|y>”');
  expect(commandTextFromSlack('status')).toBe('status');
});
