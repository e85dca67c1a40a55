import { describe, expect, it } from 'vitest';
import { testCity } from '../../test/support/test-city.js';
import { autoscalingOf, cronWindow, horizontalPodAutoscaler, requestsPerSecondQuery, scaledObject } from './autoscaling.js';
import { isOpen } from './schedule.js';
import type { ScheduleWindow } from './types.js';

// 12:00 UTC on a Wednesday: 12:00 in London (winter).
const noon = new Date('2026-11-18T12:00:00Z');
const prometheusAddress = 'http://prometheus-operated.monitoring.svc:9090';
const windows: ScheduleWindow[] = [
  { name: 'monday-morning', days: ['mon'], start: '08:00', end: '11:30', minReplicas: 6 },
  { name: 'weekend-nights', days: ['fri', 'sat'], start: '22:15', end: '02:00', minReplicas: 4 },
];
const london = testCity('london', {
  scaling: { targetRequestsPerSecond: 40, targetCpuUtilization: 65, scaleDownStabilizationSeconds: 300, schedules: windows },
});
const spec = (object: { readonly [key: string]: unknown }) => object.spec as any;

describe('scaledObject', () => {
  const built = scaledObject(london, { prometheusAddress });

  it('scales the api Deployment between the City bounds, giving pods back no sooner than the HPA did', () => {
    expect(built).toMatchObject({ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'crashdesk-api-london', namespace: 'platform' } });
    expect(spec(built)).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'crashdesk-api-london' },
      minReplicaCount: 2,
      maxReplicaCount: 10,
      advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: 300 } } } },
    });
    expect(spec(built).advanced.horizontalPodAutoscalerConfig.behavior).toEqual(spec(horizontalPodAutoscaler(london, { now: noon })).behavior);
  });

  it('scales on the site requests per second from Prometheus, the threshold per replica', () => {
    expect(spec(built).triggers[0]).toEqual({
      type: 'prometheus',
      name: 'requests-per-second',
      metricType: 'AverageValue',
      metadata: {
        serverAddress: prometheusAddress,
        query: 'sum(rate(http_request_duration_seconds_count{namespace="platform",site="london",route!~"/(healthz|readyz)"}[2m]))',
        threshold: '40',
      },
    });
  });

  it('scales on CPU utilisation, and raises the floor with a cron trigger per schedule window in the City timezone', () => {
    expect(spec(built).triggers.slice(1)).toEqual([
      { type: 'cpu', name: 'cpu', metricType: 'Utilization', metadata: { value: '65' } },
      {
        type: 'cron',
        name: 'schedule-monday-morning',
        metadata: { timezone: 'Europe/London', start: '0 8 * * 1', end: '30 11 * * 1', desiredReplicas: '6' },
      },
      {
        type: 'cron',
        name: 'schedule-weekend-nights',
        metadata: { timezone: 'Europe/London', start: '15 22 * * 5,6', end: '0 2 * * 0,6', desiredReplicas: '4' },
      },
    ]);
    // Every trigger's metadata is a map of strings, as the CRD's schema has it.
    for (const trigger of spec(built).triggers) for (const value of Object.values(trigger.metadata)) expect(typeof value).toBe('string');
  });

  it('has no requests trigger without a Prometheus that scrapes the api', () => {
    expect(spec(scaledObject(london, {})).triggers.map((trigger: { name: string }) => trigger.name)).toEqual([
      'cpu',
      'schedule-monday-morning',
      'schedule-weekend-nights',
    ]);
  });

  it("keeps KEDA's own HPA from carrying the operator's managed-by label", () => {
    expect(built.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('crashdesk-operator');
    expect(built.metadata.annotations).toEqual({ 'scaledobject.keda.sh/hpa-excluded-labels': 'app.kubernetes.io/managed-by' });
  });
});

describe('cronWindow', () => {
  it.each([
    [{ days: [], start: '08:00', end: '10:00' }, '0 8 * * *', '0 10 * * *'],
    [{ days: ['mon', 'wed', 'fri'], start: '07:05', end: '19:45' }, '5 7 * * 1,3,5', '45 19 * * 1,3,5'],
    [{ days: ['sun'], start: '23:00', end: '01:00' }, '0 23 * * 0', '0 1 * * 1'],
    [{ days: ['sat'], start: '23:00', end: '00:00' }, '0 23 * * 6', '0 0 * * 0'],
    [{ days: [], start: '22:00', end: '06:00' }, '0 22 * * *', '0 6 * * *'],
  ])('turns %j into start %s and end %s', (window, start, end) => {
    expect(cronWindow(window)).toEqual({ start, end });
  });

  // KEDA's cron scaler: a window is open while its next end comes before its next start (both strictly after now).
  const WEEK = 7 * 1440;
  const matches = (cron: string, at: number) => {
    const [minute, hour, , , days] = cron.split(' ');
    return (
      at % 60 === Number(minute) &&
      Math.floor(at / 60) % 24 === Number(hour) &&
      (days === '*' ||
        days!
          .split(',')
          .map(Number)
          .includes(Math.floor(at / 1440)))
    );
  };
  /** For each minute of the week, how far ahead the cron expression next fires. */
  const aheadOf = (cron: string) => {
    const fires = [...Array(WEEK).keys()].filter((at) => matches(cron, at));
    return [...Array(WEEK).keys()].map((now) => {
      const later = fires.find((at) => at > now);
      return later === undefined ? fires[0]! + WEEK - now : later - now;
    });
  };
  const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

  it('opens and closes KEDA on exactly the minutes the operator opens and closes the window itself, through a whole week', () => {
    const cases: Pick<ScheduleWindow, 'days' | 'start' | 'end'>[] = [
      ...windows,
      { days: [], start: '23:30', end: '00:30' },
      { days: ['sun', 'sat'], start: '20:00', end: '04:00' },
      { days: ['tue'], start: '00:00', end: '23:59' },
    ];
    for (const window of cases) {
      const { start, end } = cronWindow(window);
      const [untilStart, untilEnd] = [aheadOf(start), aheadOf(end)];
      const disagree: string[] = [];
      for (let minute = 0; minute < WEEK; minute++) {
        const keda = untilEnd[minute]! < untilStart[minute]!;
        const operator = isOpen({ ...window, name: 'w', minReplicas: 1 }, { day: DAYS[Math.floor(minute / 1440)]!, minutes: minute % 1440 });
        if (keda !== operator) disagree.push(`${DAYS[Math.floor(minute / 1440)]} ${minute % 1440}`);
      }
      expect(disagree, JSON.stringify(window)).toEqual([]);
    }
  });
});

describe('horizontalPodAutoscaler, without KEDA', () => {
  it('scales on CPU alone: no Pods metric, which nothing would serve', () => {
    const built = spec(horizontalPodAutoscaler(london, { now: noon }));
    expect(built).toMatchObject({
      minReplicas: 2,
      maxReplicas: 10,
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'crashdesk-api-london' },
    });
    expect(built.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 65 } } }]);
    expect(built.behavior).toEqual({ scaleDown: { stabilizationWindowSeconds: 300 } });
  });

  it("gives pods back after the City's own stabilisation window, with KEDA or without", () => {
    const quick = testCity('london', { scaling: { ...london.spec.scaling, scaleDownStabilizationSeconds: 15 } });
    const behavior = { scaleDown: { stabilizationWindowSeconds: 15 } };
    expect(spec(horizontalPodAutoscaler(quick, { now: noon })).behavior).toEqual(behavior);
    expect(spec(scaledObject(quick, { prometheusAddress })).advanced.horizontalPodAutoscalerConfig.behavior).toEqual(behavior);
  });

  it('raises minReplicas while a schedule window is open, in the City timezone', () => {
    const peak = testCity('london', {
      scaling: { ...london.spec.scaling, schedules: [{ name: 'lunch', days: ['wed'], start: '11:30', end: '13:00', minReplicas: 6 }] },
    });
    expect(spec(horizontalPodAutoscaler(peak, { now: noon })).minReplicas).toBe(6);
    expect(spec(horizontalPodAutoscaler(peak, { now: new Date('2026-11-18T14:00:00Z') })).minReplicas).toBe(2);
    expect(spec(horizontalPodAutoscaler(peak, { now: new Date('2026-11-19T12:00:00Z') })).minReplicas).toBe(2);
  });
});

describe('autoscalingOf', () => {
  const found = { keda: true, serviceMonitors: true, prometheusAddress };

  it("is KEDA once its CRD is installed, asking the City's own Prometheus if it names one, else the operator's", () => {
    expect(autoscalingOf(london, found)).toEqual({ by: 'keda', prometheusAddress });
    const own = testCity('london', { scaling: { ...london.spec.scaling, prometheusAddress: 'https://prometheus.london.example' } });
    expect(autoscalingOf(own, found)).toEqual({ by: 'keda', prometheusAddress: 'https://prometheus.london.example' });
  });

  it('asks no Prometheus when no ServiceMonitor makes one scrape the api, and is an HPA without KEDA', () => {
    expect(autoscalingOf(london, { ...found, serviceMonitors: false })).toEqual({ by: 'keda' });
    expect(autoscalingOf(london, { ...found, keda: false })).toEqual({ by: 'hpa' });
  });

  it('queries the series of its own namespace and site only', () => {
    expect(requestsPerSecondQuery(testCity('leeds', {}, { namespace: 'north' }))).toContain('{namespace="north",site="leeds",');
  });
});
