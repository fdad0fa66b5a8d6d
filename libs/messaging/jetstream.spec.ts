import { isClusterForming } from './jetstream';

/** The texts nats-server 2.9 answers the JetStream API with (its error codes 10005, 10008, 10023, 10074, 10059). */
describe('isClusterForming: which JetStream refusals a start waits out', () => {
  it.each([
    ['no suitable peers for placement', true],
    ['JetStream system temporarily unavailable', true],
    ['insufficient resources', true],
    ['replicas > 1 not supported in non-clustered mode', false],
    ['stream not found', false],
    ['permissions violation for publish to "$JS.API.STREAM.CREATE.LEDGER"', false],
  ])('%s: %s', (message, forming) => {
    expect(isClusterForming(new Error(message))).toBe(forming);
  });

  it('is false for what is not an Error', () => {
    expect(isClusterForming('no suitable peers for placement')).toBe(false);
  });
});
