/**
 * Bodies of the commands, one DTO each, shared by the HTTP routes, the CloudEvents `data` and the
 * services they travel to: the work order's (work-order.dto.ts), and those of the reviews around it.
 */
export * from './work-order.dto';
export * from './review.dto';
