import { WorkgateError } from '@workgate/contracts';
import { parseJsonBody } from './body';

const refusal = (text: string): WorkgateError | undefined => {
  try {
    parseJsonBody(Buffer.from(text));
    return undefined;
  } catch (error) {
    return error as WorkgateError;
  }
};

describe('parseJsonBody', () => {
  it('refuses a key twice in one object with 400 malformed_json, naming the key and, in details, its path', () => {
    const error = refusal('{"jobType":"x","inputs":{"orderPaid":true,"orderPaid":false}}');
    expect(error).toBeInstanceOf(WorkgateError);
    expect(error?.code).toBe('malformed_json');
    expect(error?.message).toBe(
      'the request body is not valid JSON for this API: the key "orderPaid" appears more than once in one object',
    );
    expect(error?.details).toEqual([
      { path: 'inputs.orderPaid', message: 'the key "orderPaid" appears more than once in one object' },
    ]);
    expect(refusal('[{"a":1},{"a":1,"b":[{"c":1," c":2,"c":3}]}]')?.details).toEqual([
      { path: '[1].b[0].c', message: 'the key "c" appears more than once in one object' },
    ]);
  });

  it('still takes the same key in different objects, and colons and quotes inside strings', () => {
    expect(parseJsonBody(Buffer.from('{"a":{"id":1},"b":{"id":2},"t":"12:30","q":"\\"id\\":"}'))).toEqual({
      a: { id: 1 },
      b: { id: 2 },
      t: '12:30',
      q: '"id":',
    });
  });

  it('refuses what a repeated key would hide: the value that is checked is the last one', () => {
    expect(refusal('{"a":"\\u0000","a":"fine"}')?.code).toBe('malformed_json');
    expect(refusal('{"a":"\\u0000"}')?.code).toBe('validation_failed');
  });
});
