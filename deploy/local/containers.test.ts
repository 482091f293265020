/**
 * Which infrastructure the tests get (deploy/local/containers.ts): containers through
 * testcontainers where a container engine answers, this machine's own processes elsewhere, and a
 * clear error when containers are asked for and no engine answers. Where an engine answers, the
 * whole integration suite runs against the containers (deploy/local/vitestSetup.ts).
 */
import { describe, expect, it } from 'vitest';
import { infraChoice } from './containers.js';

describe('infrastructure for the tests', () => {
  it('takes containers where an engine answers, the local processes elsewhere', () => {
    expect(infraChoice(undefined, true)).toBe('containers');
    expect(infraChoice('', true)).toBe('containers');
    expect(infraChoice(undefined, false)).toBe('local');
  });

  it('does what GETIHU_INFRA asks', () => {
    expect(infraChoice('local', true)).toBe('local');
    expect(infraChoice('local', false)).toBe('local');
    expect(infraChoice('containers', true)).toBe('containers');
  });

  it('refuses containers without an engine, and an unknown choice, saying why', () => {
    expect(() => infraChoice('containers', false)).toThrow(/no container engine answers/);
    expect(() => infraChoice('docker', true)).toThrow(/GETIHU_INFRA: 'local' or 'containers'.*got 'docker'/);
  });
});
