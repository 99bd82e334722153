// Shared fixtures for ml-engine tests.
export const LOGISTICS_ROW: Record<string, number> = {
  distance_km: 320,
  load_kg: 12000,
  speed_kmh: 72,
  gradient_pct: 0.5,
  stops_per_100km: 2,
  idle_min: 15,
  refrigerated: 0,
  empty_share: 0.1,
  vehicle_class: 1,
  grid_factor_kg_per_kwh: 0.281,
};

export const toFeatures = (row: Record<string, number | null>) =>
  Object.entries(row).map(([name, value]) => ({ name, value }));

export const PREDICT = /* GraphQL */ `
  query($model: ModelName!, $features: [FeatureValueInput!]!) {
    predict(model: $model, features: $features) {
      id model modelVersion co2eKg lowerKg upperKg confidence expectedKg contributionMethod
      contributions { feature value contributionKg }
    }
  }
`;

export const PREDICT_BATCH = /* GraphQL */ `
  query($model: ModelName!, $rows: [[FeatureValueInput!]!]!, $persist: Boolean) {
    predictBatch(model: $model, rows: $rows, persist: $persist) {
      id modelVersion co2eKg lowerKg upperKg expectedKg contributionMethod contributions { feature contributionKg }
    }
  }
`;
