/**
 * Names of the generated world: company names by segment and country, initial domains, and the
 * word lists they and subscription nicknames, key languages and reservation regions are drawn from.
 */
import type { CustomerSegment } from '../db/documents.js';
import type { Rng } from './random.js';

const STEMS = [
  'Northwind',
  'Blue Harbor',
  'Silverline',
  'Redwood',
  'Summit',
  'Evergreen',
  'Ironbridge',
  'Lakeside',
  'Brightwater',
  'Cedar Point',
  'Falcon',
  'Granite',
  'Harborview',
  'Juniper',
  'Keystone',
  'Lighthouse',
  'Maple Leaf',
  'Nimbus',
  'Oakridge',
  'Pinnacle',
  'Quartz',
  'Riverbend',
  'Sterling',
  'Tidewater',
  'Upland',
  'Vanguard',
  'Westfield',
  'Yellowpine',
  'Zephyr',
  'Alder',
  'Beacon',
  'Copperfield',
  'Driftwood',
  'Eastgate',
  'Foxglove',
  'Goldcrest',
  'Highland',
  'Jasper',
  'Kingfisher',
  'Larkspur',
  'Meridian',
  'Northstar',
  'Orchard',
  'Pacific Rim',
  'Quayside',
  'Rosewood',
  'Sapphire',
  'Thornbury',
  'Unity',
  'Valley Forge',
  'Willowbrook',
  'Aurora',
  'Bramble',
  'Crescent',
  'Dovetail',
  'Emberly',
  'Fairhaven',
  'Glacier',
  'Hawthorn',
  'Ironwood',
  'Kestrel',
  'Lindenhof',
  'Moonstone',
  'Nordlicht',
  'Oceanic',
  'Parkside',
  'Ravensworth',
  'Stonegate',
  'Trident',
];
const TRADES = [
  'Logistics',
  'Dental',
  'Consulting',
  'Engineering',
  'Bakery',
  'Architects',
  'Legal',
  'Accounting',
  'Marine',
  'Solar',
  'Foods',
  'Healthcare',
  'Robotics',
  'Analytics',
  'Construction',
  'Motors',
  'Pharmacy',
  'Textiles',
  'Media',
  'Studios',
  'Outfitters',
  'Veterinary',
  'Realty',
  'Insurance',
  'Brewing',
  'Freight',
  'Labs',
  'Systems',
  'Partners',
  'Hospitality',
  'Electric',
  'Printing',
  'Aviation',
  'Dairy',
  'Furniture',
  'Optics',
  'Security',
  'Recruitment',
  'Travel',
  'Wealth',
];
const EDUCATION_KINDS = ['College', 'University', 'School District', 'Academy', 'Grammar School', 'Institute of Technology'];
const GOVERNMENT_KINDS = ['City of', 'County of', 'Town of', 'Port Authority of', 'Water Board of'];
const NONPROFIT_KINDS = ['Foundation', 'Community Trust', 'Relief Fund', 'Wildlife Society', 'Food Bank', 'Youth Alliance'];
const LEGAL_FORMS: Record<string, readonly string[]> = {
  US: ['Inc.', 'LLC', 'Corp.'],
  CA: ['Inc.', 'Ltd.'],
  GB: ['Ltd', 'plc'],
  IE: ['Ltd', 'DAC'],
  DE: ['GmbH', 'AG'],
  NL: ['B.V.', 'N.V.'],
  FR: ['SAS', 'SARL'],
  ES: ['S.L.', 'S.A.'],
  IT: ['S.r.l.', 'S.p.A.'],
  SE: ['AB'],
  AU: ['Pty Ltd'],
  NZ: ['Limited'],
  BR: ['Ltda.', 'S.A.'],
  MX: ['S.A. de C.V.'],
  JP: ['K.K.', 'G.K.'],
  IN: ['Pvt. Ltd.'],
  SG: ['Pte. Ltd.'],
  ZA: ['(Pty) Ltd'],
  CN: ['Co., Ltd.'],
  AZ: ['LLC'],
  KH: ['Co., Ltd.'],
};
export const NICKNAMES = [
  'Head office',
  'Sales team',
  'Finance',
  'Warehouse staff',
  'Contractors',
  'Executive team',
  'Support desk',
  'Engineering',
  'Field technicians',
  'Marketing',
  'Front desk',
  'Seasonal staff',
  'Branch offices',
  'IT admins',
];
export const AZURE_REGIONS = [
  'eastus',
  'eastus2',
  'westus2',
  'centralus',
  'westeurope',
  'northeurope',
  'uksouth',
  'germanywestcentral',
  'australiaeast',
  'brazilsouth',
  'japaneast',
  'southeastasia',
  'canadacentral',
  'francecentral',
];
export const LANGUAGE_BY_COUNTRY: Record<string, string> = {
  DE: 'de-de',
  NL: 'nl-nl',
  FR: 'fr-fr',
  ES: 'es-es',
  IT: 'it-it',
  SE: 'sv-se',
  BR: 'pt-br',
  MX: 'es-es',
  JP: 'ja-jp',
  CN: 'zh-cn',
};

/** A company name, and the words of it that make its initial domain (no legal form). */
export function companyName(rng: Rng, segment: CustomerSegment, country: string): { name: string; label: string } {
  const stem = rng.pick(STEMS);
  switch (segment) {
    case 'education': {
      const name = `${stem} ${rng.pick(EDUCATION_KINDS)}`;
      return { name, label: name };
    }
    case 'government': {
      const name = `${rng.pick(GOVERNMENT_KINDS)} ${stem}`;
      return { name, label: name };
    }
    case 'nonprofit': {
      const name = `${stem} ${rng.pick(NONPROFIT_KINDS)}`;
      return { name, label: name };
    }
    case 'commercial': {
      const label = `${stem} ${rng.pick(TRADES)}`;
      return { name: `${label} ${rng.pick(LEGAL_FORMS[country] ?? ['Ltd'])}`, label };
    }
  }
}

/**
 * The initial domain: the label's letters, at most 24, then the customer's ordinal in decimal.
 * Letters followed by digits parse one way only, so no two customers share one (domain_unique).
 */
export function initialDomain(label: string, ordinal: number): string {
  const letters =
    label
      .toLowerCase()
      .replace(/[^a-z]/g, '')
      .slice(0, 24) || 'tenant';
  return `${letters}${ordinal}.onmicrosoft.com`;
}
