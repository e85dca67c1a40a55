// Events on the City: what a person running `kubectl describe city` should see.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { type Kube, resourcePath } from '../kube.js';
import { API_VERSION, type City, KIND } from './types.js';

export interface EventRecorder {
  normal(city: City, reason: string, message: string): Promise<void>;
  warning(city: City, reason: string, message: string): Promise<void>;
}

export function createEventRecorder(kube: Kube, logger: Logger, component = 'crashdesk-operator'): EventRecorder {
  async function record(type: 'Normal' | 'Warning', city: City, reason: string, message: string) {
    const now = new Date().toISOString();
    try {
      await kube.create(resourcePath('v1', 'Event', city.metadata.namespace), {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${city.metadata.name}.${randomBytes(8).toString('hex')}`, namespace: city.metadata.namespace },
        involvedObject: { apiVersion: API_VERSION, kind: KIND, name: city.metadata.name, namespace: city.metadata.namespace, uid: city.metadata.uid },
        type,
        reason,
        message: message.slice(0, 1024),
        source: { component },
        reportingComponent: component,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      });
    } catch (error) {
      // An event is a courtesy to people; losing one must not fail the reconcile that caused it.
      logger.warn({ err: error, reason }, 'recording an event failed');
    }
  }
  return {
    normal: (city, reason, message) => record('Normal', city, reason, message),
    warning: (city, reason, message) => record('Warning', city, reason, message),
  };
}
