/**
 * The measure catalogue (精准帮扶): the support measures a jurisdiction's text lists, as
 * versioned, cited data — one file per jurisdiction and year, `matchers/rules/<region>/measures/`.
 * Each measure names its title as the text gives it, its clause, the department responsible, whom
 * it targets (types, 名特优新 categories, predicates over facts the system holds), the channel it
 * reaches the business by, and whether it is granted without application (免申即享, 国市监注发〔2024〕10号
 * 二(四)). A measure the system cannot target from its data is kept, with `targetable: false` and why.
 *
 * Parsing only: the files are read by `load.ts`.
 */
import { z } from 'zod';
import { type DayNumber, parseIsoDate, tryParseIsoDate } from '../../lib/dates.js';
import { GetihuError } from '../../lib/errors.js';
import { programmeRegionOf } from '../../lib/regions.js';
import { MTYX_CATEGORIES } from '../ruleSet.js';

/** The types a measure may target; `ineligible` for measures aimed at businesses the typing excludes (credit repair, annual reports). */
export const MEASURE_TYPES = ['survival', 'growth', 'development', 'ineligible'] as const;

/** How a measure reaches the business. */
export const CHANNELS = ['department', 'bank', 'platform', 'business'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * Conditions over facts the system holds, beyond type and category. Each is named by what the
 * text says of the businesses it aims at.
 */
const predicate = z.discriminatedUnion('kind', [
  /** A fine-or-above penalty not credit-repaired, or the abnormal-operation list (信用修复引导). */
  z.object({ kind: z.literal('creditToRepair') }),
  /** Last year's annual report not filed (年报引导). */
  z.object({ kind: z.literal('annualReportMissing') }),
  /** No employee insured through the business (引导参加社会保险). */
  z.object({ kind: z.literal('noInsuredEmployees') }),
  /** Employees insured through the business (有雇工的个体工商户). */
  z.object({ kind: z.literal('hasInsuredEmployees') }),
  /** No trademark in use and no patent (知识产权创造). */
  z.object({ kind: z.literal('noIntellectualProperty') }),
  /** Holds trademarks or patents (知识产权保护). */
  z.object({ kind: z.literal('holdsIntellectualProperty') }),
  /** Meets the 名特优新 basic standard and holds no recognition in effect (符合分类基础标准，未被认定). */
  z.object({ kind: z.literal('mtyxBasicNotRecognised') }),
]);
export type MeasurePredicate = z.infer<typeof predicate>;

const isoDate = z.string().refine((v) => tryParseIsoDate(v) !== undefined, 'a calendar date, YYYY-MM-DD');

const measure = z
  .object({
    id: z.string().regex(/^[a-z][A-Za-z0-9.-]{1,63}$/, 'a letter, then letters, digits, dots and dashes (at most 64)'),
    title: z.string().min(1),
    clause: z.string().min(1),
    department: z.string().min(1),
    /** The text names no department for it: `department` is the project's reading of who is responsible. */
    departmentInferred: z.boolean().default(false),
    targets: z
      .object({
        types: z.array(z.enum(MEASURE_TYPES)).default([]),
        categories: z.array(z.enum(MTYX_CATEGORIES)).default([]),
        when: z.array(predicate).default([]),
      })
      .strict(),
    channel: z.enum(CHANNELS),
    noApplication: z.boolean(),
    /** The first and last day the text gives the measure (政策终止时间…), when it gives them. */
    from: isoDate.optional(),
    until: isoDate.optional(),
    /**
     * What the text asks of the business that no data source holds (服务业, 招用登记失业人员, 餐饮类…):
     * the measure is targeted by what the data shows, and each business and department is told
     * the condition it still has to meet, and why the system cannot check it.
     */
    conditions: z.array(z.object({ condition: z.string().min(1), why: z.string().min(1) }).strict()).default([]),
    targetable: z.boolean().default(true),
    /** Why the system cannot target it (required when `targetable` is false). */
    untargetableBecause: z.string().min(1).optional(),
  })
  .strict()
  .refine((m) => m.targetable || m.untargetableBecause !== undefined, {
    message: 'a measure that cannot be targeted says why (untargetableBecause)',
    path: ['untargetableBecause'],
  })
  .refine((m) => m.targets.categories.length === 0 || m.targets.when.length === 0, {
    message:
      'a measure for 名特优新 categories has no predicates over facts: a recognition is joined where the facts are not at hand (the serving store)',
    path: ['targets', 'when'],
  })
  .refine((m) => m.from === undefined || m.until === undefined || m.from <= m.until, {
    message: 'a measure ends on or after it starts',
    path: ['until'],
  })
  .refine((m) => !m.targetable || m.targets.types.length + m.targets.categories.length > 0, {
    message: 'a targetable measure names the types or categories it is for',
    path: ['targets'],
  });
export type Measure = z.infer<typeof measure>;

/** Whether the text gives a measure on `on` (within its from and until, when it has them). */
export function measureInForce(m: Measure, on: DayNumber): boolean {
  return (m.from === undefined || parseIsoDate(m.from) <= on) && (m.until === undefined || on <= parseIsoDate(m.until));
}

const ratio = z.number().min(0).max(1);

/** How often in a year a type is drawn: once, once a half-year, once a quarter. */
export const SPOT_CHECK_FREQUENCIES = ['yearly', 'half-yearly', 'quarterly'] as const;
const spotPlan = z.object({ ratio, frequency: z.enum(SPOT_CHECK_FREQUENCIES) }).strict();

const catalogueFile = z
  .object({
    /** `national`, `tianjin`, `hebei`, or a district's 6-digit code. */
    jurisdiction: z.string().regex(/^(national|beijing|tianjin|hebei|\d{6})$/),
    year: z.number().int().min(2024).max(2100),
    effectiveFrom: z.string(),
    version: z.number().int().min(1),
    document: z.string().min(1),
    url: z.string().url().optional(),
    /** A jurisdiction without measures of its own applies another's (Hebei: the national baseline). */
    baseline: z.string().optional(),
    /** Why `baseline` is used, or what a reader must know of the file. */
    notes: z.array(z.string()).default([]),
    /**
     * 双随机、一公开 by type (国市监注发〔2024〕10号 二(四) 对不同类型个体工商户采取不同的抽查比例和频次):
     * a ratio and a frequency for each type, the businesses 不符合分型条件 included, so the whole
     * register is the population. The texts leave the numbers to the regulator; `setBy` says who
     * set these.
     */
    spotCheck: z
      .object({
        clause: z.string().min(1),
        setBy: z.string().min(1),
        byType: z.object({ survival: spotPlan, growth: spotPlan, development: spotPlan, ineligible: spotPlan }).strict(),
      })
      .strict()
      .optional(),
    /**
     * The type measures a recognised business enjoys beside its category's: growth and
     * development (国市监注发〔2024〕10号 附件 二(七); 津市场监管政务〔2024〕9号 附件2 六).
     */
    recognisedAlsoGet: z
      .object({ types: z.array(z.enum(MEASURE_TYPES)).min(1), clause: z.string().min(1) })
      .strict()
      .optional(),
    measures: z.array(measure),
  })
  .strict();

/** A catalogue as loaded. */
export interface Catalogue {
  readonly jurisdiction: string;
  readonly year: number;
  readonly effectiveFrom: DayNumber;
  readonly version: number;
  readonly ref: string;
  readonly document: string;
  readonly url?: string;
  readonly baseline?: string;
  readonly notes: readonly string[];
  readonly spotCheck?: SpotCheckRule;
  readonly recognisedAlsoGet?: { readonly types: readonly (typeof MEASURE_TYPES)[number][]; readonly clause: string };
  readonly measures: readonly Measure[];
}

/** A catalogue's 双随机、一公开 ratios by type. */
export type SpotCheckRule = NonNullable<z.infer<typeof catalogueFile>['spotCheck']>;

/**
 * Checks a catalogue file.
 * @throws GetihuError `INVALID_CATALOGUE` naming the file and the field.
 */
export function parseCatalogue(data: unknown, file: string): Catalogue {
  const r = catalogueFile.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new GetihuError('INVALID_CATALOGUE', `${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`, { file });
  }
  const c = r.data;
  if (tryParseIsoDate(c.effectiveFrom) === undefined)
    throw new GetihuError('INVALID_CATALOGUE', `${file}: effectiveFrom: '${c.effectiveFrom}' is not YYYY-MM-DD`, { file });
  const ids = new Set<string>();
  for (const m of c.measures) {
    if (ids.has(m.id)) throw new GetihuError('INVALID_CATALOGUE', `${file}: measure ${m.id} is listed twice`, { file });
    ids.add(m.id);
  }
  return {
    jurisdiction: c.jurisdiction,
    year: c.year,
    effectiveFrom: parseIsoDate(c.effectiveFrom),
    version: c.version,
    ref: `${c.jurisdiction}-${c.year}@${c.version}`,
    document: c.document,
    ...(c.url === undefined ? {} : { url: c.url }),
    ...(c.baseline === undefined ? {} : { baseline: c.baseline }),
    notes: c.notes,
    ...(c.spotCheck === undefined ? {} : { spotCheck: c.spotCheck }),
    ...(c.recognisedAlsoGet === undefined ? {} : { recognisedAlsoGet: c.recognisedAlsoGet }),
    measures: c.measures,
  };
}

/** Picks the catalogue that applies to a business's division on a date. */
export class CatalogueBook {
  readonly catalogues: readonly Catalogue[];

  constructor(catalogues: readonly Catalogue[]) {
    const refs = new Set<string>();
    for (const c of catalogues) {
      if (refs.has(c.ref)) throw new GetihuError('INVALID_CATALOGUE', `catalogue ${c.ref} is defined twice`);
      refs.add(c.ref);
    }
    for (const c of catalogues)
      if (c.baseline !== undefined && !catalogues.some((o) => o.jurisdiction === c.baseline))
        throw new GetihuError('INVALID_CATALOGUE', `catalogue ${c.ref}: its baseline '${c.baseline}' has no catalogue`);
    this.catalogues = catalogues;
  }

  /** The newest catalogue of a jurisdiction in effect on `on`, or null. */
  of(jurisdiction: string, on: DayNumber): Catalogue | null {
    let best: Catalogue | null = null;
    for (const c of this.catalogues) {
      if (c.jurisdiction !== jurisdiction || c.effectiveFrom > on) continue;
      if (
        best === null ||
        c.effectiveFrom > best.effectiveFrom ||
        (c.effectiveFrom === best.effectiveFrom && c.version > best.version)
      )
        best = c;
    }
    return best;
  }

  /**
   * The catalogue for a division on a date: the district's own, else its province's, else the
   * national baseline; a catalogue that names a baseline lends its spot-check ratios and takes
   * the baseline's measures.
   * @throws GetihuError `NO_CATALOGUE_IN_FORCE`
   */
  forDivision(divisionCode: string, on: DayNumber): { readonly catalogue: Catalogue; readonly measures: readonly Measure[] } {
    const region = programmeRegionOf(divisionCode);
    const c = this.of(divisionCode, on) ?? (region === 'national' ? null : this.of(region, on)) ?? this.of('national', on);
    if (c === null)
      throw new GetihuError('NO_CATALOGUE_IN_FORCE', `no measure catalogue is in force for ${divisionCode} on that date`, {
        region: divisionCode,
      });
    if (c.baseline === undefined) return { catalogue: c, measures: c.measures };
    const base = this.of(c.baseline, on);
    if (base === null)
      throw new GetihuError('NO_CATALOGUE_IN_FORCE', `${c.ref}: its baseline ${c.baseline} is not in force on that date`);
    return { catalogue: c, measures: [...c.measures, ...base.measures] };
  }
}
