import { createTestSite } from '../../test/support/site.js';
import { accidentReportTests } from './routes.suite.js';

accidentReportTests('local key provider', () => createTestSite());
