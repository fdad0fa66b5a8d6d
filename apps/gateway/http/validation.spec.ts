import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, IsInt, IsOptional, IsString, validate } from 'class-validator';
import { cacheValidationRules, validationPipe } from './validation';

const failed = async (cls: new () => object, value: object) =>
  (await validate(plainToInstance(cls, value), { whitelist: true, forbidNonWhitelisted: true }))
    .map((e) => e.property)
    .sort();

describe('cacheValidationRules', () => {
  class Named {
    @IsString() name!: string;
  }

  beforeAll(() => cacheValidationRules());

  it('answers each lookup once and validates as before', async () => {
    const storage = getMetadataStorage();
    const first = storage.getTargetValidationMetadatas(Named, '', false, false);
    expect(storage.getTargetValidationMetadatas(Named, '', false, false)).toBe(first);
    expect(storage.groupByPropertyName(first)).toBe(storage.groupByPropertyName(first));
    expect(await failed(Named, { name: 'x' })).toEqual([]);
    expect(await failed(Named, { name: 1 })).toEqual(['name']);
    expect(await failed(Named, { name: 'x', other: 1 })).toEqual(['other']);
  });

  it('forgets what it kept when a rule is added later, so a class defined after still has all its rules', async () => {
    const before = getMetadataStorage().getTargetValidationMetadatas(Named, '', false, false);
    class Counted extends Named {
      @IsInt() count!: number;
    }
    expect(getMetadataStorage().getTargetValidationMetadatas(Named, '', false, false)).not.toBe(before);
    expect(await failed(Counted, { name: 1, count: 'x' })).toEqual(['count', 'name']);
    expect(await failed(Counted, { name: 'x', count: 2 })).toEqual([]);
  });

  it('groups an array it did not answer afresh each time', () => {
    const storage = getMetadataStorage();
    const rules = [...storage.getTargetValidationMetadatas(Named, '', false, false)];
    expect(storage.groupByPropertyName(rules)).not.toBe(storage.groupByPropertyName(rules));
  });
});

describe('the validation pipe on queries', () => {
  class Optional {
    @IsOptional() @IsString() stage?: string;
    @IsOptional() @IsString() order = 'newest';
  }
  class Required {
    @IsString() stage: string;
  }
  const query = (metatype: new () => object) => ({ type: 'query' as const, metatype, data: undefined });

  it('answers an empty query with a fresh instance each time, once an empty one passed', async () => {
    const first = await validationPipe.transform({}, query(Optional));
    const second = await validationPipe.transform({}, query(Optional));
    expect(first).toBeInstanceOf(Optional);
    expect(second).toEqual({ order: 'newest' });
    expect(second).not.toBe(first);
    await expect(validationPipe.transform({ stage: 5 }, query(Optional))).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(validationPipe.transform({ other: 'x' }, query(Optional))).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });

  it('refuses an empty query every time when a field is required', async () => {
    for (let i = 0; i < 2; i++)
      await expect(validationPipe.transform({}, query(Required))).rejects.toMatchObject({
        code: 'validation_failed',
        message: expect.stringContaining('stage'),
      });
  });
});
