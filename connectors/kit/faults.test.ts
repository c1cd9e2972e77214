import { Agent } from 'node:http';
import axios, { type AxiosInstance } from 'axios';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaultPlan, startSimulatorServer, type SimulatorServer } from './faults.ts';

describe('FaultPlan and startSimulatorServer (real HTTP on 127.0.0.1)', () => {
  let faults: FaultPlan;
  let sim: SimulatorServer;
  let http: AxiosInstance;
  let agent: Agent;
  let handled: number;

  beforeEach(async () => {
    faults = new FaultPlan();
    handled = 0;
    const app = express();
    app.use(faults.middleware());
    app.get('/ping', (_req, res) => {
      handled += 1;
      res.json({ ok: true });
    });
    sim = await startSimulatorServer(app);
    agent = new Agent({ keepAlive: true });
    http = axios.create({ baseURL: sim.url, httpAgent: agent, timeout: 2_000, validateStatus: () => true });
  });

  afterEach(async () => {
    faults.clear();
    agent.destroy();
    await sim.close();
  });

  it('passes requests through when no fault is set', async () => {
    const res = await http.get('/ping');
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ ok: true });
    expect(sim.url).toBe(`http://127.0.0.1:${sim.port}`);
  });

  it('error: answers the status with Retry-After, then recovers after `times`', async () => {
    faults.set({ kind: 'error', status: 503, retryAfterSeconds: 7, times: 2 });
    const first = await http.get('/ping');
    const second = await http.get('/ping');
    const third = await http.get('/ping');
    expect([first.status, second.status, third.status]).toEqual([503, 503, 200]);
    expect(first.headers['retry-after']).toBe('7');
    expect(handled).toBe(1);
    expect(faults.fault).toBeUndefined();
    expect(faults.applied).toBe(2);
  });

  it('error without `times` stays until cleared', async () => {
    faults.set({ kind: 'error', status: 500 });
    for (let i = 0; i < 3; i++) expect((await http.get('/ping')).status).toBe(500);
    faults.clear();
    expect((await http.get('/ping')).status).toBe(200);
  });

  it('reject: answers a permanent 4xx with the given body', async () => {
    faults.set({ kind: 'reject', status: 400, body: { message: 'Dữ liệu không hợp lệ' }, times: 1 });
    const res = await http.get('/ping');
    expect(res.status).toBe(400);
    expect(res.data).toEqual({ message: 'Dữ liệu không hợp lệ' });
    expect(handled).toBe(0);
  });

  it('slow: delays the real answer', async () => {
    faults.set({ kind: 'slow', delayMs: 300, times: 1 });
    const started = Date.now();
    const res = await http.get('/ping');
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    const fast = Date.now();
    await http.get('/ping');
    expect(Date.now() - fast).toBeLessThan(250);
  });

  it('hang: the client times out; clear() lets held requests through', async () => {
    faults.set({ kind: 'hang' });
    await expect(http.get('/ping', { timeout: 200 })).rejects.toMatchObject({ code: 'ECONNABORTED' });
    const pending = http.get('/ping', { timeout: 5_000 });
    await new Promise((r) => setTimeout(r, 100));
    expect(handled).toBe(0);
    faults.clear();
    expect((await pending).status).toBe(200);
    expect(handled).toBe(1); // the timed-out request was dropped, not handled
  });

  it('refuse: the socket is destroyed without an answer', async () => {
    faults.set({ kind: 'refuse', times: 1 });
    await expect(http.get('/ping')).rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET|EPIPE|ECONNABORTED/) });
    expect((await http.get('/ping')).status).toBe(200);
  });

  it('rejects a non-positive `times`', () => {
    expect(() => faults.set({ kind: 'hang', times: 0 })).toThrow(RangeError);
  });

  it('close() refuses connections, restart() serves again on the same port', async () => {
    expect((await http.get('/ping')).status).toBe(200); // a kept-alive socket is open
    const port = sim.port;
    await sim.close();
    // A new connection is refused; a kept-alive socket may first see the reset of its closed peer.
    await expect(axios.get(`${sim.url}/ping`, { httpAgent: new Agent() })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(http.get('/ping')).rejects.toMatchObject({ code: expect.stringMatching(/ECONNREFUSED|ECONNRESET/) });
    await sim.restart();
    expect(sim.port).toBe(port);
    expect((await http.get('/ping')).status).toBe(200);
    await sim.restart(); // no-op while listening
    expect((await http.get('/ping')).status).toBe(200);
  });

  it('close() ends requests held by a hang', async () => {
    faults.set({ kind: 'hang' });
    const pending = http.get('/ping', { timeout: 5_000 });
    await new Promise((r) => setTimeout(r, 100));
    await sim.close();
    await expect(pending).rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET|ECONNABORTED/) });
  });
});
