import type { CreatedWebhook } from '@workgate/contracts';
import { client, writePrincipals } from './support/principals';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';

/**
 * Webhooks go only to public addresses unless WORKGATE_WEBHOOK_ALLOW_PRIVATE says otherwise
 * (docs/api.md, Webhooks). On the worker's shared workgate, which does not allow them.
 */
describe('webhooks without WORKGATE_WEBHOOK_ALLOW_PRIVATE', () => {
  let t: SharedTestWorkgate;
  const principals = writePrincipals({ admin: ['admin'] });

  beforeAll(async () => {
    t = await sharedTestWorkgate({ principals });
  });
  afterAll(() => t?.close());

  it.each([
    'http://127.0.0.1:9/hook',
    'http://localhost:9/hook',
    'http://[::1]:9/hook',
    'http://10.0.0.7/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://[fe80::1]/hook',
    'http://0.0.0.0/hook',
  ])('refuses %s with 422 naming url', async (url) => {
    const res = await client(t.url, principals.keys.admin)<CreatedWebhook>('POST', '/v1/webhooks', {
      url,
      events: ['*'],
    });
    expect(res).toMatchObject({
      status: 422,
      body: { error: 'validation_failed', details: [{ path: 'url', message: expect.stringMatching(/address/) }] },
    });
  });
});
