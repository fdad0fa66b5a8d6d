import 'reflect-metadata';
import { ExecutionContext, SetMetadata } from '@nestjs/common';
import { routeSetting } from './route-settings';

const on = (controller: new () => object, method: string) => ({ getHandler: () => controller.prototype[method as never], getClass: () => controller }) as unknown as ExecutionContext;

describe('routeSetting', () => {
  @SetMetadata('workgate:test-roles', ['analyst'])
  class Reports {
    @SetMetadata('workgate:test-roles', ['admin'])
    purge(): void {}
    list(): void {}
  }
  class Plain {
    list(): void {}
  }

  it("reads the handler's setting over its controller's, the controller's otherwise, and none where neither has one", () => {
    expect(routeSetting('workgate:test-roles', on(Reports, 'purge'))).toEqual(['admin']);
    expect(routeSetting('workgate:test-roles', on(Reports, 'list'))).toEqual(['analyst']);
    expect(routeSetting('workgate:test-roles', on(Plain, 'list'))).toBeUndefined();
    expect(routeSetting('workgate:test-other', on(Reports, 'purge'))).toBeUndefined();
  });

  it('answers the same route the same way each time', () => {
    const first = routeSetting('workgate:test-roles', on(Reports, 'purge'));
    expect(routeSetting('workgate:test-roles', on(Reports, 'purge'))).toBe(first);
    expect(routeSetting('workgate:test-roles', on(Plain, 'list'))).toBeUndefined();
  });
});
