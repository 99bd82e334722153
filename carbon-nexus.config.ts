// The plugins this platform runs. Add a plugin (yours or a third party's) here and it is composed
// into the supergraph, started by `npm start`, and checked by the conformance tests.
import dataCore from '@carbon-nexus/data-core';
import mlEngine from '@carbon-nexus/ml-engine';
import orchestration from '@carbon-nexus/orchestration';
import recommendations from '@carbon-nexus/recommendations';
import dataQuality from '@carbon-nexus/data-quality';
import partners from '@carbon-nexus/partners';
import audit from '@carbon-nexus/audit';

export default {
  plugins: [dataCore, mlEngine, orchestration, recommendations, dataQuality, partners, audit],
};
