import { describe, it, expect } from 'vitest';
import { freshDb } from '../helpers/db.ts';

describe('test database', () => {
  it('is a real PostgreSQL server', async () => {
    const db = await freshDb();
    const r = await db.pool.query('select current_database() as d, version() as v');
    expect(r.rows[0].d).toBe(db.name);
    expect(r.rows[0].v).toMatch(/PostgreSQL/);
  });
});
