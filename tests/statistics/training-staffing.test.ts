import { randomUUID } from 'node:crypto';
import { buildDemoDataset, seededRandom } from '../../subgraphs/shared/src/demo/dataset';
import { MIN_CELL_SIZE } from '../../subgraphs/shared/src/small-cells';
import { staffingQuota } from '../../subgraphs/staffing-quota/src';
import { training } from '../../subgraphs/training/src';
import { startSubgraphAlone, type SubgraphAlone } from '../helpers/subgraph-alone';
import { workOutSums } from '../helpers/reader';

/**
 * Training completion and staffing mobility statistics in the shape every subgraph shares
 * (HeadcountBucket), scoped to the viewer's subtree, with small cells suppressed for viewers who may
 * not see persons.
 */
const data = buildDemoDataset();
const units = data.orgUnits;
type Bucket = { code: string | null; label: string; count: number };
const sum = (buckets: Bucket[]) => buckets.reduce((s, b) => s + b.count, 0);
const exactViewer = (h: SubgraphAlone) => h.viewer('national_query', 'CN');

describe('training completion statistics', () => {
  let h: SubgraphAlone;
  const COMPLETION = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on OrgUnit { id trainingCompletion { teacherCount metCount completionRate byCompletion { code label count } } } } }`;
  const ask = async (viewer: ReturnType<SubgraphAlone['viewer']>, ids: string[]) => {
    const body = await h.call(viewer, COMPLETION, { reps: ids.map((id) => ({ __typename: 'OrgUnit', id })) });
    expect(body.errors).toBeUndefined();
    return new Map(body.data._entities.map((e: { id: string; trainingCompletion: unknown }) => [e.id, e.trainingCompletion])) as Map<string, any>;
  };
  beforeAll(async () => {
    h = await startSubgraphAlone(training);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('splits every unit into met / not met, adding up to its teachers', async () => {
    const all = await ask(exactViewer(h), units.map((u) => u.id));
    for (const unit of units) {
      const c = all.get(unit.id);
      expect(c.teacherCount).toBe(data.teachers.filter((t) => t.orgPath.startsWith(unit.path)).length);
      expect(sum(c.byCompletion)).toBe(c.teacherCount);
      expect(c.byCompletion.find((b: Bucket) => b.code === 'met').count).toBe(c.metCount);
    }
  });

  it('gives analysts only met counts, withheld when they or the teachers not meeting the requirement are 1–4, here or by subtraction', async () => {
    const exact = await ask(exactViewer(h), units.map((u) => u.id));
    const analyst = await ask(h.viewer('analyst', 'CN'), units.map((u) => u.id));
    const small = (n: number) => n > 0 && n < MIN_CELL_SIZE;
    let withheld = 0;
    for (const unit of units) {
      const e = exact.get(unit.id);
      const a = analyst.get(unit.id);
      // The teachers in total are the registry's to publish: never here. Not met is total less met,
      // so it counts as shown wherever met is (a reader has the registry's totals).
      if (a === null) {
        withheld += 1;
        continue;
      }
      expect([unit.id, a.teacherCount, a.completionRate, a.metCount]).toEqual([unit.id, null, null, e.metCount]);
      expect([unit.id, small(e.metCount), small(e.teacherCount - e.metCount)]).toEqual([unit.id, false, false]);
      expect(a.byCompletion.map((b: Bucket) => b.code)).toEqual(e.metCount > 0 ? ['met'] : []);
    }
    // Differencing: a published unit less its published children never gives a small met or not-met count.
    for (const parent of units) {
      const p = analyst.get(parent.id);
      const children = units.filter((u) => u.parentId === parent.id);
      const hidden = children.filter((c) => analyst.get(c.id) === null);
      if (!p || hidden.length === 0) continue;
      const met = p.metCount - children.reduce((s, c) => s + (analyst.get(c.id)?.metCount ?? 0), 0);
      const notMet = hidden.reduce((s, c) => s + exact.get(c.id).teacherCount, 0) - met;
      expect([parent.id, small(met), small(notMet)]).toEqual([parent.id, false, false]);
    }
    // Record readers see every unit: nothing is withheld from them.
    const countyQuery = await ask(h.viewer('county_query', '621121'), ['1162000104', '621121']);
    expect(countyQuery.get('1162000104')).toEqual(exact.get('1162000104'));
    // The demo data has small schools: some figures are withheld.
    expect(withheld).toBeGreaterThan(0);
  });

  it('never shows a neighbouring county', async () => {
    const neighbour = await ask(h.viewer('county_query', '420115'), ['420111', '1142000101', '420115']);
    expect(neighbour.get('420111')).toBeNull();
    expect(neighbour.get('1142000101')).toBeNull();
    expect(neighbour.get('420115')).not.toBeNull();
  });
});

describe('mobility statistics (transfers and rotations)', () => {
  let h: SubgraphAlone;
  const YEAR = 2025;
  const MOBILITY = `query($reps: [_Any!]!, $year: Int!) { _entities(representations: $reps) { ... on OrgUnit { id mobilityStatistics(year: $year) {
    year transfers rotations byTransferKind { code label count } byTransferDirection { code count } byRotationKind { code count } byRotationStatus { code count } } } } }`;
  const ask = async (viewer: ReturnType<SubgraphAlone['viewer']>, ids: string[], year = YEAR) => {
    const body = await h.call(viewer, MOBILITY, { reps: ids.map((id) => ({ __typename: 'OrgUnit', id })), year });
    expect(body.errors).toBeUndefined();
    return new Map(body.data._entities.map((e: { id: string; mobilityStatistics: unknown }) => [e.id, e.mobilityStatistics])) as Map<string, any>;
  };
  const schools = units.filter((u) => u.level === 'school');
  const pathOf = new Map(units.map((u) => [u.id, u.path]));
  const transfers: { kind: string; from: string | null; to: string | null; status: string; on: string }[] = [];
  const rotations: { home: string; host: string; kind: string; status: string; startsOn: string }[] = [];

  beforeAll(async () => {
    h = await startSubgraphAlone(staffingQuota);
    // A fixed random history of movements between the demo schools, in and around the year asked.
    const random = seededRandom(4711);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
    for (let i = 0; i < 120; i++) {
      const kind = pick(['new_hire', 'transfer_within_province', 'transfer_across_provinces', 'leave', 'retire']);
      const from = kind === 'new_hire' ? null : pick(schools).id;
      const to = kind === 'leave' || kind === 'retire' ? null : pick(schools.filter((s) => s.id !== from)).id;
      transfers.push({ kind, from, to, status: pick(['completed', 'completed', 'completed', 'pending', 'rejected']), on: `${pick([2024, 2025, 2025, 2025, 2026])}-0${1 + Math.floor(random() * 9)}-15` });
    }
    const knex = h.server.db.knex;
    const t = (table: string) => h.server.db.t(table);
    await knex(t('transfer')).insert(
      transfers.map((x) => ({ id: randomUUID(), kind: x.kind, teacher_id: randomUUID(), from_org_id: x.from, to_org_id: x.to, on_quota: true, effective_on: x.on, status: x.status, requested_by: 'fixture' })),
    );
    const counties = units.filter((u) => u.level === 'county');
    for (const county of counties) {
      const plan = randomUUID();
      await knex(t('rotation_plan')).insert({ id: plan, county_id: county.id, year: YEAR, status: 'submitted' });
      const own = schools.filter((s) => s.path.startsWith(county.path));
      if (own.length < 2) continue;
      const n = 2 + Math.floor(random() * 9);
      for (let i = 0; i < n; i++) {
        const home = pick(own);
        const host = pick(own.filter((s) => s.id !== home.id));
        const r = { home: home.id, host: host.id, kind: pick(['exchange', 'support_teaching', 'itinerant']), status: pick(['planned', 'completed']), startsOn: pick([`${YEAR}-09-01`, `${YEAR + 1}-02-20`]) };
        rotations.push(r);
        await knex(t('rotation_assignment')).insert({
          id: randomUUID(), plan_id: plan, teacher_id: randomUUID(), home_org_id: r.home, host_org_id: r.host, kind: r.kind,
          starts_on: r.startsOn, ends_on: `${YEAR + 2}-07-01`, status: r.status, key_teacher: false, from_urban_or_high_quality: true,
        });
      }
    }
  });
  afterAll(async () => {
    await h?.stop();
  });

  /** The figures worked out from the fixture itself. */
  function expected(unitPath: string) {
    const inside = (id: string | null) => id != null && (pathOf.get(id) ?? '').startsWith(unitPath);
    const moves = transfers.filter((x) => x.status === 'completed' && x.on.startsWith(`${YEAR}-`) && (inside(x.from) || inside(x.to)));
    const rot = rotations.filter((r) => r.startsOn.startsWith(`${YEAR}-`) && inside(r.home));
    const count = (codes: string[]) => {
      const m = new Map<string, number>();
      for (const c of codes) m.set(c, (m.get(c) ?? 0) + 1);
      return m;
    };
    return {
      transfers: moves.length,
      rotations: rot.length,
      byTransferKind: count(moves.map((x) => x.kind)),
      byTransferDirection: count(moves.map((x) => (inside(x.from) && inside(x.to) ? 'within' : inside(x.to) ? 'in' : 'out'))),
      byRotationKind: count(rot.map((r) => r.kind)),
      byRotationStatus: count(rot.map((r) => r.status)),
    };
  }
  const asMap = (buckets: Bucket[]) => new Map(buckets.map((b) => [b.code, b.count]));

  it('counts transfers by kind and direction and rotations by form and status for every unit', async () => {
    const all = await ask(h.viewer('national_query', 'CN'), units.map((u) => u.id));
    let nonEmpty = 0;
    for (const unit of units) {
      const got = all.get(unit.id);
      const want = expected(unit.path);
      expect([unit.id, got.year, got.transfers, got.rotations]).toEqual([unit.id, YEAR, want.transfers, want.rotations]);
      for (const dimension of ['byTransferKind', 'byTransferDirection', 'byRotationKind', 'byRotationStatus'] as const) {
        expect([unit.id, dimension, asMap(got[dimension])]).toEqual([unit.id, dimension, want[dimension]]);
      }
      if (want.transfers > 0) nonEmpty += 1;
    }
    expect(nonEmpty).toBeGreaterThan(5);
    expect(all.get('CN').byTransferKind.find((b: Bucket) => b.code === 'retire').label).toBe('退休');
  });

  it('suppresses small cells and totals of 1–4 for analysts, and more where they could be worked back', async () => {
    const exact = await ask(h.viewer('national_query', 'CN'), units.map((u) => u.id));
    const analyst = await ask(h.viewer('analyst', 'CN'), units.map((u) => u.id));
    let suppressed = 0;
    let withheldTotals = 0;
    for (const unit of units) {
      const a = analyst.get(unit.id);
      const e = exact.get(unit.id);
      // A total of 1–4 transfers (or rotations) is 1–4 persons: null; others exact or withheld beside one.
      for (const total of ['transfers', 'rotations'] as const) {
        const small = e[total] > 0 && e[total] < MIN_CELL_SIZE;
        if (small || a[total] !== null) expect([unit.id, total, a[total]]).toEqual([unit.id, total, small ? null : e[total]]);
        if (a[total] === null) withheldTotals += 1;
      }
      for (const dimension of ['byTransferKind', 'byTransferDirection', 'byRotationKind', 'byRotationStatus'] as const) {
        const buckets: Bucket[] = a[dimension];
        // Every published bucket, the merged one included, holds 0 or at least 5; a breakdown adds
        // up to its total when that total is shown, or is left out.
        expect([unit.id, dimension, buckets.every((b) => b.count === 0 || b.count >= MIN_CELL_SIZE)]).toEqual([unit.id, dimension, true]);
        const total = a[dimension.includes('Transfer') ? 'transfers' : 'rotations'];
        if (total !== null && buckets.length > 0) expect([unit.id, dimension, sum(buckets)]).toEqual([unit.id, dimension, total]);
        if (buckets.some((b) => b.code === 'suppressed')) suppressed += 1;
      }
    }
    expect(suppressed).toBeGreaterThan(0);
    expect(withheldTotals).toBeGreaterThan(0);
    expect(smallFiguresAReaderWorksOut(exact, analyst)).toEqual([]);
  });

  /**
   * A reader of every unit's published mobility solves the sums the figures obey: a unit's
   * directions and its kinds add up to its transfers; rotations add up from children to parent;
   * and with B the moves between different children of a parent: Σ out = P.out + B,
   * Σ in = P.in + B, Σ within + B = P.within, Σ transfers = P.transfers + B, Σ kind = P.kind + B_kind,
   * Σ B_kind = B. No count of 1–4 may come out.
   */
  function smallFiguresAReaderWorksOut(exact: Map<string, any>, shown: Map<string, any>): string[] {
    const value = new Map<string, number>();
    const known = new Set<string>();
    const groups: string[][] = [];
    const KINDS = ['new_hire', 'transfer_within_province', 'transfer_across_provinces', 'leave', 'retire'];
    const ROT_KINDS = ['exchange', 'support_teaching', 'itinerant'];
    const ROT_STATUS = ['planned', 'completed'];
    const dims = { byTransferKind: KINDS, byTransferDirection: ['in', 'out', 'within'], byRotationKind: ROT_KINDS, byRotationStatus: ROT_STATUS } as const;
    for (const unit of units) {
      const e = exact.get(unit.id);
      const a = shown.get(unit.id);
      for (const total of ['transfers', 'rotations'] as const) {
        value.set(`${unit.id}:${total}`, e[total]);
        if (a[total] !== null) known.add(`${unit.id}:${total}`);
      }
      for (const [dimension, codes] of Object.entries(dims)) {
        const got: Bucket[] = a[dimension];
        for (const code of codes) {
          value.set(`${unit.id}:${dimension}:${code}`, asMap(e[dimension]).get(code) ?? 0);
          if (got.some((b) => b.code === code)) known.add(`${unit.id}:${dimension}:${code}`);
        }
        const total = `${unit.id}:${dimension.includes('Transfer') ? 'transfers' : 'rotations'}`;
        groups.push([...codes.map((c) => `${unit.id}:${dimension}:${c}`), total]);
        if (got.some((b) => b.code === 'suppressed')) groups.push(codes.filter((c) => !got.some((b) => b.code === c)).map((c) => `${unit.id}:${dimension}:${c}`));
      }
      const children = units.filter((u) => u.parentId === unit.id);
      if (children.length === 0) continue;
      const col = (name: string) => children.map((c) => `${c.id}:${name}`);
      for (const name of ['rotations', ...ROT_KINDS.map((c) => `byRotationKind:${c}`), ...ROT_STATUS.map((c) => `byRotationStatus:${c}`)]) groups.push([...col(name), `${unit.id}:${name}`]);
      const B = `${unit.id}:between`;
      const dir = (c: string) => `byTransferDirection:${c}`;
      value.set(B, children.reduce((s, c) => s + (value.get(`${c.id}:${dir('out')}`) ?? 0), 0) - (value.get(`${unit.id}:${dir('out')}`) ?? 0));
      for (const name of [dir('in'), dir('out'), dir('within'), 'transfers']) groups.push([...col(name), `${unit.id}:${name}`, B]);
      for (const kind of KINDS) {
        const Bk = `${B}:${kind}`;
        value.set(Bk, children.reduce((s, c) => s + (value.get(`${c.id}:byTransferKind:${kind}`) ?? 0), 0) - (value.get(`${unit.id}:byTransferKind:${kind}`) ?? 0));
        groups.push([...col(`byTransferKind:${kind}`), `${unit.id}:byTransferKind:${kind}`, Bk]);
      }
      groups.push([...KINDS.map((k) => `${B}:${k}`), B]);
    }
    // Zeros are taken as known (as the publication assumes), and so is B when it is zero, with every B_kind.
    for (const [name, n] of value) if (n === 0) known.add(name);
    workOutSums(groups, known);
    const small = (n: number) => n > 0 && n < MIN_CELL_SIZE;
    const visible = new Set<string>();
    for (const unit of units) {
      const a = shown.get(unit.id);
      for (const total of ['transfers', 'rotations'] as const) if (a[total] !== null) visible.add(`${unit.id}:${total}`);
      for (const dimension of Object.keys(dims)) for (const b of a[dimension] as Bucket[]) visible.add(`${unit.id}:${dimension}:${b.code}`);
    }
    return [...known].filter((name) => !visible.has(name) && !name.includes(':between') && small(value.get(name) ?? 0)).map((name) => `${name} = ${value.get(name)}`);
  }

  it('scopes to the viewer: a county sees its own figures and nothing of its neighbour', async () => {
    const own = await ask(h.viewer('county_query', '420111'), ['420111', '420115', '420100']);
    expect(own.get('420115')).toBeNull();
    expect(own.get('420100')).toBeNull();
    expect(own.get('420111').transfers).toBe(expected(pathOf.get('420111')!).transfers);
    const bad = await h.call(h.viewer('county_query', '420111'), MOBILITY, { reps: [{ __typename: 'OrgUnit', id: '420111' }], year: 1800 });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const partner = await h.call(h.viewer('partner', '420000', { scopes: ['dossier:read'], clientId: 'demo-partner' }), MOBILITY, { reps: [{ __typename: 'OrgUnit', id: '420111' }], year: YEAR });
    expect(partner.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
