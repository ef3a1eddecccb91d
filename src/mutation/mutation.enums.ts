import { registerEnumType } from 'type-graphql';

export enum CancellationModeEnum {
  IMMEDIATE = 'immediate',
  AT_TERM_END = 'at_term_end',
}
export enum UpgradeTypeEnum {
  PARTIAL = 'partial',
  FULL = 'full',
}
export enum UpgradeTimingEnum {
  NOW = 'now',
  TERM_END = 'term_end',
}
registerEnumType(CancellationModeEnum, {
  name: 'CancellationMode',
  description: 'Whether a cancellation ends access now or at term end (scheduled for renewal).',
});
registerEnumType(UpgradeTypeEnum, {
  name: 'UpgradeType',
  description: 'Partial (some licences) or full (all licences) upgrade (UPG-PARTIAL, UPG-FULL).',
});
registerEnumType(UpgradeTimingEnum, { name: 'UpgradeTiming', description: 'Upgrade now (mid-term) or at term end (UPG-TIMING).' });
