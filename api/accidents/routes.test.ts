import { createTestSite } from '../../test/support/site.js';
import { accidentReportTests } from '../../test/support/accidents-routes-suite.js';

accidentReportTests('local key provider', () => createTestSite());
