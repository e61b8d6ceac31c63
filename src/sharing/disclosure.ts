import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';
import { Category } from './categories';

const CATEGORY_KEY = Symbol('ketentafel:category');
const NOT_PERSONAL_KEY = Symbol('ketentafel:not-personal');
/**
 * The category is decided per record, not per field: an incident by its classification (nuisance →
 * incidents, offence → criminal), a measure by its type, a deadline by its kind.
 */
export const PER_RECORD = 'per_record' as const;
export type FieldCategory = Category | typeof PER_RECORD;

type Tags = Map<string, FieldCategory>;

function tagsOf(target: object, key: symbol): Map<string, unknown> {
  let tags = Reflect.getOwnMetadata(key, target) as Map<string, unknown> | undefined;
  if (!tags) {
    const inherited = Reflect.getMetadata(key, target) as Map<string, unknown> | undefined;
    tags = new Map(inherited ?? []);
    Reflect.defineMetadata(key, tags, target);
  }
  return tags;
}

/**
 * Tags a personal-data field with its category, next to its definition. On a response DTO the field is
 * then present only for viewers granted that category, and the OpenAPI document shows the category.
 * On an entity column it records the category for the schema test (no `api` then).
 */
export function Category(category: FieldCategory, api?: ApiPropertyOptions): PropertyDecorator {
  const tag: PropertyDecorator = (target, property) => {
    tagsOf(target, CATEGORY_KEY).set(String(property), category);
  };
  if (!api) return tag;
  const label = category === PER_RECORD ? 'decided per record (see the record\'s `category`)' : category;
  const description = `${api.description ? `${api.description} ` : ''}**Category: ${label}.** Absent when the viewer's organisation is not granted it.`;
  return applyDecorators(tag, ApiProperty({ ...api, required: false, description } as ApiPropertyOptions));
}

/** Marks a field as holding no personal data (ids, timestamps of the record itself, enumerations). */
export function NotPersonal(api?: ApiPropertyOptions): PropertyDecorator {
  const tag: PropertyDecorator = (target, property) => {
    tagsOf(target, NOT_PERSONAL_KEY).set(String(property), true);
  };
  return api ? applyDecorators(tag, ApiProperty(api)) : tag;
}

export function categoryTags(cls: abstract new (...args: never[]) => unknown): Tags {
  return (Reflect.getMetadata(CATEGORY_KEY, cls.prototype) as Tags | undefined) ?? new Map();
}

export function notPersonalFields(cls: abstract new (...args: never[]) => unknown): Set<string> {
  const tags = Reflect.getMetadata(NOT_PERSONAL_KEY, cls.prototype) as Map<string, true> | undefined;
  return new Set(tags?.keys() ?? []);
}

/**
 * The one projection every response goes through: copies the fields of `view` that are not personal,
 * and the personal ones only when their category is granted. Fields that are neither tagged nor marked
 * are dropped (and the schema test fails on them), so an untagged field can never leak.
 */
export function disclose<T extends object>(
  cls: abstract new (...args: never[]) => T,
  view: Partial<T>,
  granted: ReadonlySet<Category>,
  recordCategory?: Category,
): Partial<T> {
  const categories = categoryTags(cls);
  const open = notPersonalFields(cls);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(view)) {
    if (value === undefined) continue;
    if (open.has(key)) {
      out[key] = value;
      continue;
    }
    const tag = categories.get(key);
    if (!tag) continue;
    const category = tag === PER_RECORD ? recordCategory : tag;
    if (category && granted.has(category)) out[key] = value;
  }
  return out as Partial<T>;
}

/** Which categories a view class touches (for the audit log). */
export function categoriesOf(cls: abstract new (...args: never[]) => unknown, granted: ReadonlySet<Category>): Category[] {
  const touched = new Set<Category>();
  for (const tag of categoryTags(cls).values()) if (tag !== PER_RECORD && granted.has(tag)) touched.add(tag);
  return [...touched];
}
