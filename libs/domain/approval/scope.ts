import { hash } from 'node:crypto';
import { canonicalize, PermittedAction } from '@workgate/contracts';

/** `{"system":"payments","operation":"refund","kind":"write"}`: an action as the approver sends it. */
export const describeAction = (a: PermittedAction) =>
  JSON.stringify({
    system: a.system,
    operation: a.operation,
    kind: a.kind,
    ...(a.objects?.length ? { objects: a.objects } : {}),
  });

/** sha256 of the canonical permitted action: an approval covers this hash and nothing else. */
export function actionScopeHash(a: PermittedAction): string {
  const objects = [...new Set(a.objects ?? [])].sort();
  return hash('sha256', canonicalize({ system: a.system, operation: a.operation, kind: a.kind, objects }));
}
