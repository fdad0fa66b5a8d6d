import 'reflect-metadata';
import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RouteSetting } from './route-settings';

const roles = new RouteSetting<string[]>('workgate:test-roles');
const other = new RouteSetting<string[]>('workgate:test-other');

/** The parts of an ExecutionContext a route setting reads: the handler and its controller. */
const on = (
  controller: new () => object,
  method: string,
): Pick<ExecutionContext, 'getHandler'> & { getClass(): object } => ({
  getHandler: () => Reflect.get(controller.prototype, method),
  getClass: () => controller,
});

describe('RouteSetting', () => {
  @roles.decorate(['analyst'])
  class Reports {
    @roles.decorate(['admin'])
    purge(): void {}
    list(): void {}
  }
  class Plain {
    list(): void {}
  }

  it("reads the handler's setting over its controller's, the controller's otherwise, and none where neither has one", () => {
    expect(roles.in(on(Reports, 'purge'))).toEqual(['admin']);
    expect(roles.in(on(Reports, 'list'))).toEqual(['analyst']);
    expect(roles.in(on(Plain, 'list'))).toBeUndefined();
    expect(other.in(on(Reports, 'purge'))).toBeUndefined();
  });

  it("reads a route's setting once, and answers it from then on", () => {
    class Fresh {
      @roles.decorate(['operator'])
      act(): void {}
    }
    const lookUp = jest.spyOn(Reflector.prototype, 'getAllAndOverride');
    try {
      expect(roles.in(on(Fresh, 'act'))).toEqual(['operator']);
      expect(roles.in(on(Fresh, 'act'))).toEqual(['operator']);
      expect(other.in(on(Fresh, 'act'))).toBeUndefined();
      expect(other.in(on(Fresh, 'act'))).toBeUndefined();
      expect(lookUp).toHaveBeenCalledTimes(2);
    } finally {
      lookUp.mockRestore();
    }
  });
});
