// The faults tier runs the property specs (`*.property.spec.ts`) with 10,000 generated cases each;
// `npm test` runs them with their default of 500.
process.env.WORKGATE_PROPERTY_RUNS = '10000';
// …and the volume specs at full size (test/support/volume.ts).
process.env.WORKGATE_TEST_VOLUME = 'full';
