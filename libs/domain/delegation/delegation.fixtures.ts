/** A delegation prompt as an operator writes one: the domain's specs and the HTTP ones send the same. */
export const prompt = {
  objective: 'Fix the flaky retry test',
  scope: 'libs/messaging only',
  artifacts: [{ path: '.switchboard/handoff/retry.md', access: 'read' }],
  verification: ['npm test -- libs/messaging'],
  completion: 'stop and wait; the lead resumes after the operator confirms',
};
