/**
 * 京津冀 mutual recognition (津市场监管政务〔2024〕9号 二(六)): a 名特优新 business recognised by Beijing, Tianjin or
 * Hebei keeps its recognition after moving to another of the three, and the destination applies
 * its own support programme. A check answers: is the recognition carried (the same code, or a
 * new code linked through the same operator), until when, and which programme applies. Whether
 * the 名特优新 exclusions still hold (court list, unrepaired fines) decides it, but the answer
 * says only that they were checked, not which one failed: those are flags a bank reads only with
 * the business's consent. The full reasons go to the transfer topic, for the regulators.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { validateCreditCode } from '../lib/creditCode.js';
import type { Store } from '../lib/store/index.js';

const JJJ = { '11': 'beijing', '12': 'tianjin', '13': 'hebei' } as const;
type Province = (typeof JJJ)[keyof typeof JJJ];

/** The support programme a destination applies to a carried recognition. */
export const PROGRAMMES: Readonly<Record<Province, string>> = Object.freeze({
  beijing:
    '北京市各区“名特优新”个体工商户培育措施（兴市监发〔2024〕53号、门头沟区方案（征求意见稿）、石景山区方案（征求意见稿） 附件 四）',
  tianjin: '天津市“名特优新”个体工商户培育措施（津市场监管政务〔2024〕9号 附件2 六）',
  hebei: '河北省“名特优新”个体工商户培育措施（待河北文本载入；现按国市监注发〔2024〕10号 附件 二(七)）',
});

/** The request of a transfer check. */
export const transferRequest = z
  .object({
    creditCode: z.string(),
    /** The code after moving, when re-registration gave a new one. */
    newCreditCode: z.string().optional(),
    /** The destination: a 6-digit division in Beijing, Tianjin or Hebei. */
    toRegion: z.string().regex(/^\d{6}$/),
  })
  .strict();

/** One reason of a transfer check. */
export interface TransferReason {
  readonly check: string;
  readonly met: boolean;
  readonly detail: string;
}

/** The answer of a transfer check. */
export interface TransferCheck {
  readonly checkId: string;
  readonly creditCode: string;
  readonly newCreditCode: string | null;
  readonly fromRegion: string;
  readonly toRegion: string;
  readonly carried: boolean;
  readonly validUntil: string | null;
  readonly programme: string | null;
  readonly reasons: readonly TransferReason[];
  readonly clause: string;
}

const province = (division: string): Province | undefined => JJJ[division.slice(0, 2) as keyof typeof JJJ];

/** The reasons a caller is told: the two exclusions folded into one that names neither. */
export function disclosedReasons(reasons: readonly TransferReason[]): TransferReason[] {
  const exclusions = reasons.filter((r) => r.check === 'notOnCourtList' || r.check === 'noUnrepairedFine');
  return [
    ...reasons.filter((r) => !exclusions.includes(r)),
    {
      check: 'exclusions',
      met: exclusions.every((r) => r.met),
      detail:
        '名特优新 exclusions checked (国市监注发〔2024〕10号 附件 二(四)1): the destination learns whether the recognition carries, not why',
    },
  ];
}

/**
 * Checks a transfer against the store's recognitions, registrations and decisions (pure but for
 * reads). Its `reasons` are the full ones, for the transfer topic; a caller is answered with
 * `disclosedReasons`.
 */
export async function checkTransfer(
  store: Store,
  req: z.infer<typeof transferRequest>,
  today: string,
  allow: ReadonlySet<string> = new Set(),
): Promise<TransferCheck> {
  const reasons: TransferReason[] = [];
  const add = (check: string, met: boolean, detail: string) => reasons.push({ check, met, detail });
  const old = validateCreditCode(req.creditCode, { checksumAllowList: allow });
  const code = old.ok ? old.value.code : req.creditCode;
  const fresh = req.newCreditCode === undefined ? undefined : validateCreditCode(req.newCreditCode, { checksumAllowList: allow });
  const newCode = fresh?.ok === true ? fresh.value.code : (req.newCreditCode ?? null);
  const business = await store.business(code);
  const fromRegion = business?.region ?? code.slice(2, 8);
  const from = province(fromRegion);
  const to = province(req.toRegion);
  add(
    'codes',
    old.ok && (fresh === undefined || fresh.ok),
    old.ok && (fresh === undefined || fresh.ok) ? 'valid credit codes' : 'a credit code is not valid',
  );
  add(
    'betweenJingJinJi',
    from !== undefined && to !== undefined && from !== to,
    `from ${from ?? fromRegion} to ${to ?? req.toRegion}: mutual recognition covers moves between Beijing, Tianjin and Hebei`,
  );
  const rec = await store.recognition(code);
  const active = rec !== null && rec.status === 'active' && rec.validUntil >= today;
  add(
    'recognised',
    active,
    rec === null
      ? 'no 名特优新 recognition on record'
      : `${rec.category}, ${rec.status}, valid ${rec.validFrom} to ${rec.validUntil}`,
  );
  if (newCode !== null) {
    const after = await store.business(newCode);
    const linked = after !== null && business !== null && after.operatorId !== null && after.operatorId === business.operatorId;
    add(
      'linkedByOperator',
      linked,
      linked ? 'the new registration has the same operator' : 'the new registration is not linked to the same operator',
    );
  }
  // The exclusions of the business as it stands after the move: the new registration's only when
  // it is linked to the same operator (an unlinked one is not read at all).
  const linkedCode = newCode !== null && reasons.find((r) => r.check === 'linkedByOperator')?.met === true ? newCode : null;
  const decision = await store.decision(linkedCode ?? code);
  const reasonsOf = (decision?.reasons as { criterion: string; met: boolean }[] | undefined) ?? [];
  const holds = (id: string) => reasonsOf.find((r) => r.criterion === id)?.met !== false;
  add(
    'notOnCourtList',
    holds('mtyx.court'),
    '名特优新 exclusion B: operator not on the court list (国市监注发〔2024〕10号 附件 二(四)1B)',
  );
  add(
    'noUnrepairedFine',
    holds('mtyx.penalty'),
    '名特优新 exclusion A: no unrepaired fine in the last 2 years (国市监注发〔2024〕10号 附件 二(四)1A)',
  );
  const carried = reasons.every((r) => r.met);
  const body = {
    code,
    newCode,
    fromRegion,
    toRegion: req.toRegion,
    carried,
    validUntil: carried ? (rec?.validUntil ?? null) : null,
    reasons,
  };
  return {
    checkId: createHash('sha256')
      .update(JSON.stringify([body, today]))
      .digest('hex')
      .slice(0, 32),
    creditCode: code,
    newCreditCode: newCode,
    fromRegion,
    toRegion: req.toRegion,
    carried,
    validUntil: body.validUntil,
    programme: carried && to !== undefined ? PROGRAMMES[to] : null,
    reasons,
    clause:
      '津市场监管政务〔2024〕9号 二(六) 经三地认定的“名特优新”个体工商户跨区域迁移后，迁入地对认定的结果予以认可，按照本地公布的培育方案给予帮扶',
  };
}
