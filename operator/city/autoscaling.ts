// How a City's api scales, as pure builders. With KEDA (its ScaledObject CRD installed) a
// ScaledObject: the site's requests per second from Prometheus, CPU, and one cron trigger per
// schedule window. Without it an HPA on CPU alone (nothing serves a requests metric to a plain HPA),
// whose floor the operator raises itself while a window is open (schedule.ts).
//
// With KEDA the cron triggers do what the operator otherwise does by hand: KEDA evaluates them
// every polling interval, in the City's timezone, so the operator neither raises minReplicas nor
// requeues the City at window edges, and a window opens on time even while the operator is down.
import { siteLabels } from './api-deployment.js';
import { childMetadata, type KubeObject } from './metadata.js';
import { scheduledMinReplicas } from './schedule.js';
import { type City, cityNames, type ScheduleWindow } from './types.js';

/** Where the operator's Prometheus runs by default (OPERATOR_PROMETHEUS_NAMESPACES): the api's NetworkPolicy admits it to scrape. */
export const DEFAULT_PROMETHEUS_NAMESPACE = 'monitoring';
/** The operator's default Prometheus (OPERATOR_PROMETHEUS_ADDRESS): the Service the Prometheus Operator makes for a Prometheus in `monitoring`. */
export const DEFAULT_PROMETHEUS_ADDRESS = `http://prometheus-operated.${DEFAULT_PROMETHEUS_NAMESPACE}.svc:9090`;

/** What scales the api: reconcile picks by whether KEDA's CRD is installed. */
export type Autoscaling =
  | {
      readonly by: 'keda';
      /**
       * Where KEDA asks for the site's requests per second. Unset when the ServiceMonitor CRD is not
       * installed: then nothing scrapes the api, so there is no requests trigger (never a metric nothing serves).
       */
      readonly prometheusAddress?: string;
    }
  | { readonly by: 'hpa' };

/** KEDA when its CRD is installed, asking the City's Prometheus or else the operator's. */
export function autoscalingOf(
  city: City,
  found: { readonly keda: boolean; readonly serviceMonitors: boolean; readonly prometheusAddress: string },
): Autoscaling {
  if (!found.keda) return { by: 'hpa' };
  return found.serviceMonitors ? { by: 'keda', prometheusAddress: city.spec.scaling.prometheusAddress ?? found.prometheusAddress } : { by: 'keda' };
}

/**
 * The site's requests per second, all replicas together: KEDA divides it by the replica count
 * (metricType AverageValue), so the threshold is per replica. The api labels its histogram with its
 * site; the ServiceMonitor's scrape adds the namespace. Probes are left out: they come with every
 * pod, not with load. Two minutes is four 30 s scrapes, so that rate() always has two samples.
 */
export function requestsPerSecondQuery(city: Pick<City, 'metadata'>): string {
  const { namespace, name } = city.metadata;
  return `sum(rate(http_request_duration_seconds_count{namespace="${namespace}",site="${name}",route!~"/(healthz|readyz)"}[2m]))`;
}

/**
 * Call volume drops between peaks briefly: pods are given back only once lower wishes have held for
 * the City's window (300 s by default), by both autoscalers alike.
 */
const scaleDownBehavior = (city: City) => ({ scaleDown: { stabilizationWindowSeconds: city.spec.scaling.scaleDownStabilizationSeconds } });

const CRON_DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/**
 * A schedule window as KEDA's cron trigger takes it: `minute hour * * days` for its start and its
 * end. A window past midnight belongs to the day it starts on (as schedule.ts reads it), so its end
 * falls on the day after each of its days. KEDA counts a window open while its next end comes
 * before its next start, which is exactly [start, end) on those days.
 */
export function cronWindow(window: Pick<ScheduleWindow, 'days' | 'start' | 'end'>): { readonly start: string; readonly end: string } {
  const [startHour = 0, startMinute = 0] = window.start.split(':').map(Number);
  const [endHour = 0, endMinute = 0] = window.end.split(':').map(Number);
  const overnight = endHour * 60 + endMinute < startHour * 60 + startMinute;
  const days = (shift: number) =>
    window.days.length === 0 ? '*' : [...new Set(window.days.map((day) => (CRON_DAYS.indexOf(day) + shift) % 7))].sort((a, b) => a - b).join(',');
  return { start: `${startMinute} ${startHour} * * ${days(0)}`, end: `${endMinute} ${endHour} * * ${days(overnight ? 1 : 0)}` };
}

export interface ScaledObjectProps {
  /** The Prometheus of the requests trigger; unset: no requests trigger (see Autoscaling). */
  readonly prometheusAddress?: string;
}

/** The ScaledObject's triggers, named so that KEDA's HPA metrics and the City's condition say which is which. */
export function scaledObjectTriggers(city: City, props: ScaledObjectProps): Record<string, unknown>[] {
  const { scaling, timezone } = city.spec;
  return [
    ...(props.prometheusAddress === undefined
      ? []
      : [
          {
            type: 'prometheus',
            name: 'requests-per-second',
            metricType: 'AverageValue',
            metadata: { serverAddress: props.prometheusAddress, query: requestsPerSecondQuery(city), threshold: String(scaling.targetRequestsPerSecond) },
          },
        ]),
    { type: 'cpu', name: 'cpu', metricType: 'Utilization', metadata: { value: String(scaling.targetCpuUtilization) } },
    // While open, a window asks for its minReplicas; the HPA takes the largest of all triggers, so overlapping windows agree with schedule.ts.
    ...scaling.schedules.map((window) => ({
      type: 'cron',
      name: `schedule-${window.name}`,
      metadata: { timezone, ...cronWindow(window), desiredReplicas: String(window.minReplicas) },
    })),
  ];
}

/** The api's KEDA ScaledObject, named like its Deployment (KEDA makes and owns the HPA keda-hpa-<name>). */
export function scaledObject(city: City, props: ScaledObjectProps): KubeObject {
  const names = cityNames(city);
  const metadata = childMetadata(city, names.api, siteLabels(names.site));
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: {
      ...metadata,
      // KEDA copies the ScaledObject's labels onto its HPA; without this its HPA would claim to be the
      // operator's, and the operator's HPA watch (by that label) would hold an object KEDA manages.
      annotations: { 'scaledobject.keda.sh/hpa-excluded-labels': 'app.kubernetes.io/managed-by' },
    },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: names.api },
      minReplicaCount: city.spec.api.replicas.min,
      maxReplicaCount: city.spec.api.replicas.max,
      advanced: { horizontalPodAutoscalerConfig: { behavior: scaleDownBehavior(city) } },
      triggers: scaledObjectTriggers(city, props),
    },
  };
}

/** Without KEDA: CPU only, its floor raised while a schedule window is open (the operator requeues at each window edge). */
export function horizontalPodAutoscaler(city: City, observed: { readonly now: Date }): KubeObject {
  const names = cityNames(city);
  const { scaling, api } = city.spec;
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: childMetadata(city, names.api, siteLabels(names.site)),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: names.api },
      minReplicas: scheduledMinReplicas(city.spec, observed.now).minReplicas,
      maxReplicas: api.replicas.max,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: scaling.targetCpuUtilization } } }],
      behavior: scaleDownBehavior(city),
    },
  };
}

/** The api's one autoscaler. */
export function autoscaler(city: City, observed: { readonly now: Date; readonly autoscaling: Autoscaling }): KubeObject {
  const { autoscaling } = observed;
  return autoscaling.by === 'keda' ? scaledObject(city, { prometheusAddress: autoscaling.prometheusAddress }) : horizontalPodAutoscaler(city, observed);
}

/** The api's floor now: with KEDA the spec's minimum (its cron triggers raise it), without it raised by every open window. */
export function minReplicasNow(city: City, observed: { readonly now: Date; readonly autoscaling: Autoscaling }): number {
  return observed.autoscaling.by === 'keda' ? city.spec.api.replicas.min : scheduledMinReplicas(city.spec, observed.now).minReplicas;
}
