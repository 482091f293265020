/**
 * A seeded generator of realistic fact snapshots for one region: valid credit codes in real
 * districts, operators owning several businesses, court-list hits, penalties, honours and
 * 名特优新 applications, with a plausible spread of types. The same seed gives the same data,
 * byte for byte. It feeds tests, benchmarks and demos.
 */
import { CREDIT_CODE_CHARSET, completeCreditCode } from '../creditCode.js';
import { addYears, type DayNumber, dayNumber, formatIsoDate, parseIsoDate, yearOf } from '../dates.js';
import { GetihuError } from '../errors.js';
import { districtsOf, divisionName, isValidDivisionCode, PROVINCES } from '../regions.js';
import { Random } from './random.js';

/** Options of {@link generateBusinesses}. */
export interface GenerateOptions {
  /** `11`/`12`/`13` (or `110000`…), a 6-digit district, or beijing/tianjin/hebei. */
  readonly region: string;
  readonly businesses: number;
  readonly seed: number;
  /** Facts are a snapshot as of this date (default 2025-08-15, after the annual-report season). */
  readonly asOf?: DayNumber;
}

const NAMED: Readonly<Record<string, string>> = { beijing: '11', tianjin: '12', hebei: '13' };

/** The districts a region option covers. */
export function resolveDistricts(region: string): string[] {
  const r = NAMED[region.toLowerCase()] ?? region;
  if (/^\d{2}$/.test(r) || /^\d{2}0000$/.test(r)) {
    const prefix = r.slice(0, 2);
    if (PROVINCES[prefix] === undefined)
      throw new GetihuError('INVALID_ARGUMENT', `--region: '${region}' is not a province code`);
    const d = districtsOf(prefix);
    if (d.length === 0)
      throw new GetihuError('INVALID_ARGUMENT', `--region: no districts of '${region}' are known; give a 6-digit district code`);
    return d;
  }
  if (isValidDivisionCode(r)) return [r];
  throw new GetihuError(
    'INVALID_ARGUMENT',
    `--region: '${region}' is not beijing, tianjin, hebei, a province or a 6-digit division code`,
  );
}

const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '赵',
  '黄',
  '周',
  '吴',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
  '何',
  '林',
  '高',
  '罗',
];
const TRADES = [
  '面馆',
  '便利店',
  '理发店',
  '五金店',
  '水果店',
  '包子铺',
  '修车行',
  '茶叶店',
  '服装店',
  '烟酒店',
  '早点铺',
  '花店',
  '洗衣店',
  '民宿',
  '农家院',
  '手工坊',
  '烧饼铺',
  '电器维修部',
  '文具店',
  '药材行',
];
const CERTIFICATES = ['greenFood', 'organicFood', 'mtyxAgriProduct', 'managementSystem', 'productQuality'];
const HERITAGE = ['timeHonouredBrand', 'heritageWorkshop', 'heritageInheritor', 'ruralCraftsman'];
const LEVELS = ['district', 'city', 'province', 'national'];
const CATEGORIES = ['wellKnown', 'distinctive', 'quality', 'emerging'];
const GROUPS = ['veteran', 'graduate', 'disabled', 'returningMigrant'];
const RECOMMENDERS = ['区文化和旅游局', '区农业农村局', '区商务局', '区退役军人事务局', '区人力资源社会保障局'];
/** A bijection on [0, 31^6): multiply by a unit modulo 31^6 (anything not divisible by 31). */
const SPACE = 31 ** 6;

function orgBody(index: number, salt: number): string {
  let n = (index * 7_654_321 + salt) % SPACE;
  let s = '';
  for (let i = 0; i < 6; i++) {
    s = CREDIT_CODE_CHARSET[n % 31] + s;
    n = Math.floor(n / 31);
  }
  return `MA${s}`;
}

interface Operator {
  readonly id: string;
  readonly dishonest: boolean;
  readonly group: string | null;
}

/** One generated business record: the classify input, plus honours and an application where drawn. */
export type GeneratedBusiness = Record<string, unknown>;

/** Generates `businesses` records for a region, deterministically from `seed`. */
export function* generateBusinesses(options: GenerateOptions): Generator<GeneratedBusiness> {
  if (!Number.isSafeInteger(options.businesses) || options.businesses < 0) {
    throw new GetihuError('INVALID_ARGUMENT', '--businesses: a whole number of businesses, 0 or more');
  }
  if (options.businesses > SPACE) throw new GetihuError('INVALID_ARGUMENT', `--businesses: at most ${SPACE} per region`);
  const districts = resolveDistricts(options.region);
  const rnd = new Random(options.seed);
  const asOf = options.asOf ?? dayNumber(2025, 8, 15);
  const asOfYear = yearOf(asOf);
  const lastYear = asOfYear - 1;
  const salt = rnd.int(0, SPACE - 1);
  let operator: Operator | undefined;
  let operatorLeft = 0;
  let operatorSeq = 0;
  let operatorDistrict = districts[0] as string;
  const date = (d: DayNumber) => formatIsoDate(Math.min(d, asOf));

  for (let i = 0; i < options.businesses; i++) {
    // Operators: most run one business; about 1 in 12 runs 2–4, often in the same district.
    if (operatorLeft === 0 || operator === undefined) {
      operatorSeq++;
      operator = {
        id: `OP${options.seed.toString(36).toUpperCase()}-${operatorSeq.toString(36).toUpperCase().padStart(6, '0')}`,
        dishonest: rnd.chance(0.015),
        group: rnd.chance(0.04) ? rnd.pick(GROUPS) : null,
      };
      operatorLeft = rnd.chance(0.08) ? rnd.int(2, 4) : 1;
      operatorDistrict = rnd.pick(districts);
    }
    operatorLeft--;
    const district = rnd.chance(0.75) ? operatorDistrict : rnd.pick(districts);
    const creditCode = completeCreditCode(`92${district}${orgBody(i, salt)}`);

    // Age: 8% founded this year, 20% in the last two years, the rest older (a long tail past 30 years).
    const ageRoll = rnd.float();
    const establishedOn =
      ageRoll < 0.08
        ? dayNumber(asOfYear, 1, 1) + rnd.int(0, Math.max(0, asOf - dayNumber(asOfYear, 1, 1)))
        : ageRoll < 0.28
          ? addYears(asOf, -2) + rnd.int(1, 365 * 2 - 1)
          : addYears(asOf, -2) - Math.floor(rnd.logNormal(5 * 365, 0.9));
    const statusRoll = rnd.float();
    const status =
      statusRoll < 0.955 ? 'active' : statusRoll < 0.985 ? 'cancelled' : statusRoll < 0.995 ? 'revoked' : 'withdrawn';
    const seasonal = rnd.chance(0.03);
    const suspendedUntil = rnd.chance(0.02) ? date(asOf + rnd.int(-400, 900)) : null;
    const establishedThisYear = yearOf(establishedOn) === asOfYear;

    const annualReport = establishedThisYear
      ? null
      : rnd.chance(0.9)
        ? { year: lastYear, filed: rnd.chance(0.95), revenueYuan: Math.round(rnd.logNormal(70_000, 1.2)) }
        : rnd.chance(0.5)
          ? { year: lastYear - 1, filed: true, revenueYuan: Math.round(rnd.logNormal(60_000, 1.2)) }
          : null;

    const penalties: Record<string, unknown>[] = [];
    if (rnd.chance(0.06)) {
      const n = rnd.int(1, 2);
      for (let k = 0; k < n; k++) {
        penalties.push({ decidedOn: date(asOf - rnd.int(0, 365 * 4)), fineOrAbove: rnd.chance(0.6), repaired: rnd.chance(0.4) });
      }
    }
    const taxRegistered = rnd.chance(0.88);
    const general = rnd.chance(0.025);
    const paysVat = general || rnd.chance(0.3);
    const tax = taxRegistered
      ? {
          registeredOn: date(establishedOn + (rnd.chance(0.85) ? rnd.int(0, 60) : rnd.int(60, 1500))),
          nonNormal: rnd.chance(0.03),
          generalTaxpayer: general,
          vatPaidYuan: paysVat ? Math.round(rnd.logNormal(general ? 40_000 : 3_000, 1)) : 0,
          iitPaidYuan: rnd.chance(0.25) ? Math.round(rnd.logNormal(1_500, 1)) : 0,
        }
      : null;
    const siRoll = rnd.float();
    const insuredHeadcount = siRoll < 0.78 ? 0 : siRoll < 0.96 ? rnd.int(1, 3) : rnd.int(4, 25);
    const record: GeneratedBusiness = {
      creditCode,
      name: `${divisionName(district).replace(/^.*市(?=.)/, '')}${rnd.pick(SURNAMES)}记${rnd.pick(TRADES)}`,
      regionCode: district,
      operatorId: operator.id,
      registration: { status, establishedOn: date(establishedOn), seasonal, suspendedUntil },
      ...(annualReport === null ? {} : { annualReport }),
      marketCredit: { abnormalOperation: rnd.chance(0.06), seriousIllegal: rnd.chance(0.004), penalties },
      ...(tax === null ? {} : { tax }),
      socialInsurance: { insuredHeadcount },
      ip: { trademarksInUse: rnd.chance(0.03) ? rnd.int(1, 3) : 0, patents: rnd.chance(0.01) ? rnd.int(1, 2) : 0 },
      court: { operatorDishonest: operator.dishonest },
    };

    // Honours and an application for about 4% of businesses.
    if (rnd.chance(0.04)) {
      const honours: Record<string, unknown> = {};
      if (rnd.chance(0.3)) honours.certifications = [{ kind: rnd.pick(CERTIFICATES) }];
      if (rnd.chance(0.15)) honours.heritageTitles = [{ kind: rnd.pick(HERITAGE), level: rnd.pick(LEVELS) }];
      if (rnd.chance(0.1))
        honours.geographicIndications = [{ name: '地理标志产品', level: rnd.pick(LEVELS), related: rnd.chance(0.8) }];
      if (rnd.chance(0.2)) honours.skills = [{ kind: 'skillLevel', grade: rnd.int(1, 5), related: rnd.chance(0.9) }];
      if (rnd.chance(0.1))
        honours.professionalTitles = [{ level: rnd.pick(['junior', 'intermediate', 'senior']), related: rnd.chance(0.9) }];
      if (rnd.chance(0.15))
        honours.awards = [
          {
            kind: rnd.pick(['partyBuilding', 'government']),
            level: rnd.pick(LEVELS),
            awardedOn: date(asOf - rnd.int(0, 365 * 6)),
          },
        ];
      if (rnd.chance(0.1))
        honours.starRatings = [{ kind: rnd.pick(['farmStay', 'homestay', 'restaurant']), level: rnd.pick(LEVELS) }];
      if (rnd.chance(0.2)) honours.platformFollowers = Math.round(rnd.logNormal(5_000, 1.5));
      record.honours = honours;
      const recommended = rnd.chance(0.2);
      record.application = {
        year: asOfYear,
        route: recommended ? 'recommendation' : 'application',
        category: rnd.chance(0.7) ? rnd.pick(CATEGORIES) : null,
        submittedOn: formatIsoDate(dayNumber(asOfYear, 8, 20) + rnd.int(0, 40)),
        recommender: recommended ? rnd.pick(RECOMMENDERS) : null,
        operatorConsent: recommended ? rnd.chance(0.95) : true,
        specialGroup: operator.group,
        review: {
          brandInfluence: rnd.chance(0.3),
          marketShare: rnd.chance(0.2),
          trademarkFame: rnd.chance(0.3),
          localCulture: rnd.chance(0.25),
          uniqueModel: rnd.chance(0.2),
          newEconomyLeader: rnd.chance(0.1),
          ipNewTech: rnd.chance(0.1),
          ipRelatedToScope: rnd.chance(0.2),
          rdEquipment: rnd.chance(0.05),
          relaxedSourceAccepted: operator.group !== null && rnd.chance(0.5),
          platformReputation: rnd.chance(0.5),
          operatingWell: rnd.chance(0.7),
        },
      };
      // The review steps a regulator recorded (走访核实, 征求意见, 信息公示): most pass; now and then
      // a visit fails, a department objects, or an objection to the notice is upheld.
      const applied = parseIsoDate((record.application as { submittedOn: string }).submittedOn);
      const step = (kind: string, days: number, outcome: string, until?: number) => ({
        year: asOfYear,
        step: kind,
        stepId: `${kind}-1`,
        on: formatIsoDate(applied + days),
        ...(until === undefined ? {} : { until: formatIsoDate(applied + until) }),
        outcome,
        actor: 'regulator:generated',
      });
      record.reviewSteps = [
        step('verification', 7, rnd.chance(0.95) ? 'passed' : 'failed'),
        step('consultation', 10, rnd.chance(0.95) ? 'noObjection' : 'objection'),
        step('notice', 14, 'published', 20),
        ...(rnd.chance(0.05) ? [step('objection', 16, rnd.chance(0.5) ? 'upheld' : 'dismissed')] : []),
      ];
    }
    yield record;
  }
}
