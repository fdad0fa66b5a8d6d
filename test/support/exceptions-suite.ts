import { editedCatalog } from './catalog';
import { onWorkgate } from './suite';
import { startTestWorkgate } from './workgate';

/**
 * A workgate of the exceptions specs' own (test/exceptions*.e2e-spec.ts): the seed catalog with a
 * one-second SLA for CUSTOMER_UNREACHABLE so a breach can be seen, an integrator and an operator.
 */
export const exceptionsSuite = () =>
  onWorkgate({ helpdesk: ['integrator'], agent: ['operator'] }, (principals) =>
    startTestWorkgate({
      env: {
        WORKGATE_PRINCIPALS: principals.path,
        WORKGATE_EXCEPTION_CODES: editedCatalog([/(code: CUSTOMER_UNREACHABLE,.*sla: )PT24H/, '$1PT1S']),
      },
    }),
  );
