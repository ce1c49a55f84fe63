/** Slack's limits on what the app sends, in one place (https://docs.slack.dev/reference/block-kit). */
export const LIMITS = {
  blocksPerMessage: 50,
  blocksPerView: 100,
  sectionText: 3000,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  /** A button's `url`. */
  url: 3000,
  contextElements: 10,
  actionElements: 25,
  messageText: 4000,
} as const;
