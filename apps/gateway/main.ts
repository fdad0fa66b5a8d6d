import { x } from '@workgate/config';
console.log('hello', x);
