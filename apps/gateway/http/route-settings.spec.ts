import 'reflect-metadata';
import { ExecutionContext, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { routeSetting } from './route-settings';

const on = (controller: new () => object, method: string) =>
  ({
    getHandler: () => controller.prototype[method as never],
    getClass: () => controller,
  }) as unknown as ExecutionContext;

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

  it("reads a route's setting once, and answers it from then on", () => {
    class Fresh {
      @SetMetadata('workgate:test-roles', ['operator'])
      act(): void {}
    }
    const lookUp = jest.spyOn(Reflector.prototype, 'getAllAndOverride');
    try {
      expect(routeSetting('workgate:test-roles', on(Fresh, 'act'))).toEqual(['operator']);
      expect(routeSetting('workgate:test-roles', on(Fresh, 'act'))).toEqual(['operator']);
      expect(routeSetting('workgate:test-other', on(Fresh, 'act'))).toBeUndefined();
      expect(routeSetting('workgate:test-other', on(Fresh, 'act'))).toBeUndefined();
      expect(lookUp).toHaveBeenCalledTimes(2);
    } finally {
      lookUp.mockRestore();
    }
  });
});
