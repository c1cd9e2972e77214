import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Lifecycle, withLifecycle } from './lifecycle.ts';

const silent = pino({ level: 'silent' });

describe('the hub lifecycle', () => {
  it('stops components in reverse start order, once, even when one fails to stop', async () => {
    const stopped: string[] = [];
    const lifecycle = new Lifecycle(silent);
    await lifecycle.open('a', 'A', () => void stopped.push('a'));
    await lifecycle.open('b', 'B', () => Promise.reject(new Error('b is stuck')));
    await lifecycle.open('c', 'C', () => void stopped.push('c'));
    await Promise.all([lifecycle.stop(), lifecycle.stop()]);
    expect(stopped).toEqual(['c', 'a']);
    expect(lifecycle.names).toEqual(['a', 'b', 'c']);
  });

  it('stops the views after every other component, all at once', async () => {
    const events: string[] = [];
    const slowStop = (name: string) => async () => {
      events.push(`${name} stopping`);
      await new Promise((r) => setTimeout(r, 20));
      events.push(`${name} stopped`);
    };
    const lifecycle = new Lifecycle(silent);
    await lifecycle.open('admin', {}, slowStop('admin'));
    await lifecycle.openView('registry', {}, slowStop('registry'));
    await lifecycle.open('writer', {}, slowStop('writer'));
    await lifecycle.openView('traces', {}, slowStop('traces'));
    await lifecycle.open('http server', {}, slowStop('http server'));
    await lifecycle.stop();
    expect(events).toEqual([
      'http server stopping',
      'http server stopped',
      'writer stopping',
      'writer stopped',
      'admin stopping',
      'admin stopped',
      'registry stopping',
      'traces stopping',
      'registry stopped',
      'traces stopped',
    ]);
  });

  it('closes what a start that failed halfway opened, including the component whose start failed', async () => {
    const stopped: string[] = [];
    const failing = withLifecycle(silent, async (lifecycle) => {
      await lifecycle.open('admin', {}, () => void stopped.push('admin'));
      await lifecycle.openView('registry', {}, () => void stopped.push('registry'));
      await lifecycle.open(
        'audit trail',
        {},
        () => void stopped.push('audit trail'),
        () => Promise.reject(new Error('connect timed out')),
      );
      await lifecycle.openView('never', {}, () => void stopped.push('never'));
    });
    await expect(failing).rejects.toThrow('connect timed out');
    expect(stopped).toEqual(['audit trail', 'admin', 'registry']);
  });

  it('refuses to open a component once stopping', async () => {
    const lifecycle = new Lifecycle(silent);
    await lifecycle.stop();
    await expect(lifecycle.open('late', {}, () => undefined)).rejects.toThrow(/stopping/);
  });
});
