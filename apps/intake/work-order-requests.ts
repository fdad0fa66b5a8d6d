import { CommandMeta, refuse, WorkOrderAddress, WorkOrderCommandRequest } from '@workgate/contracts';
import { deterministicUuid, WorkOrderCommand } from '@workgate/domain';

/** A command on a work order as intake runs it: the domain's command, who asks, and where it is addressed. */
export interface WorkOrderRequest {
  address: WorkOrderAddress;
  command: WorkOrderCommand;
  meta: CommandMeta;
}

/** The id of the work order an integrator opened as `externalRef` within `source`. */
export function workOrderIdFor(source: string, externalRef: string): string {
  return deterministicUuid('workorder', source, externalRef);
}

/** The id of the work order a request addresses (an opening: the one it opens). */
export function resolveId({ address, command }: Pick<WorkOrderRequest, 'address' | 'command'>): string {
  if (command.type === 'OpenWorkOrder') return workOrderIdFor(command.source, command.externalRef);
  if (address.workOrderId) return address.workOrderId;
  if (address.source && address.externalRef) return workOrderIdFor(address.source, address.externalRef);
  throw refuse('validation_failed', 'a work order is addressed by its id, or by source and externalRef');
}

/**
 * A request as it arrives (HTTP, CloudEvents, MCP: the route's body beside the command's type and
 * path ids) as the domain's command: the body's fields flat, the ids from the path over them.
 */
export function requestOf({ address, command, meta }: WorkOrderCommandRequest): WorkOrderRequest {
  return { address, meta, command: commandOf(command) };
}

function commandOf(c: WorkOrderCommandRequest['command']): WorkOrderCommand {
  switch (c.type) {
    case 'RecordActionResult':
      return { ...c.body, type: c.type, actionId: c.actionId };
    case 'CompleteStep':
      return { ...c.body, type: c.type, stepId: c.stepId };
    case 'BlockStep':
      return { ...c.body, type: c.type, stepId: c.stepId };
    case 'RecordStageArtifact':
      return { ...c.body, type: c.type, stageId: c.stageId };
    case 'OpenWorkOrder':
      return { ...c.body, type: c.type };
    case 'RequestAction':
      return { ...c.body, type: c.type };
    case 'UseBreakGlass':
      return { ...c.body, type: c.type };
    case 'ChangeScope':
      return { ...c.body, type: c.type };
    case 'DispatchDelegation':
      return { ...c.body, type: c.type };
    case 'CloseWorkOrder':
      return { ...c.body, type: c.type };
    case 'ReportClosure':
      return { ...c.body, type: c.type };
    case 'ReopenWorkOrder':
      return { ...c.body, type: c.type };
    case 'StopWorkOrder':
      return { ...c.body, type: c.type };
    case 'ApplyApprovalOutcome':
      return { ...c.body, type: c.type };
    case 'CloseException':
      return { ...c.body, type: c.type };
    default: {
      const never: never = c;
      throw refuse('validation_failed', `unknown command ${JSON.stringify(never)}`);
    }
  }
}
