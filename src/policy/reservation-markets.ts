/**
 * RES-MARKETS: the markets where Azure reservations cannot be bought, as data. Transcribed from the
 * table "Niet-beschikbare markten voor Azure-reserveringen" of seed 002 (Dutch), all three columns
 * in the seed's order, each with its ISO 3166-1 alpha-2 code and English name. Some rows share a
 * code: Bonaire, Saba and Sint Eustatius are BQ; Svalbard and Jan Mayen are SJ. Kosovo has no ISO
 * code and is XK, as Microsoft and the EU use it.
 */
import type { CustomerDoc } from '../db/documents.js';
import { refuse, type Refused } from './decision.js';

export interface UnavailableMarket {
  /** ISO 3166-1 alpha-2 (XK for Kosovo). */
  code: string;
  /** English name. */
  name: string;
  /** As the seed's table writes it (Dutch, typos kept: "Sño Toñ en Prñncipe", "Wallis en Walluna"). */
  seedName: string;
  /** The seed table's column: 'A to Gi', 'Gr to Pal', 'Pap to Z'. */
  column: 1 | 2 | 3;
}

const m = (column: 1 | 2 | 3, seedName: string, code: string, name: string): UnavailableMarket => ({ code, name, seedName, column });

export const RESERVATION_UNAVAILABLE_MARKETS: readonly UnavailableMarket[] = [
  // Column "A naar Gi"
  m(1, 'Ålandeilanden', 'AX', 'Åland Islands'),
  m(1, 'Amerikaans-Samoa', 'AS', 'American Samoa'),
  m(1, 'Andorra', 'AD', 'Andorra'),
  m(1, 'Anguilla', 'AI', 'Anguilla'),
  m(1, 'Antarctica', 'AQ', 'Antarctica'),
  m(1, 'Antigua en Barbuda', 'AG', 'Antigua and Barbuda'),
  m(1, 'Aruba', 'AW', 'Aruba'),
  m(1, 'Azerbeidzjan', 'AZ', 'Azerbaijan'),
  m(1, 'Benin', 'BJ', 'Benin'),
  m(1, 'Bhutan', 'BT', 'Bhutan'),
  m(1, 'Bonaire', 'BQ', 'Bonaire, Sint Eustatius and Saba'),
  m(1, 'Bouveteiland', 'BV', 'Bouvet Island'),
  m(1, 'Brits Territorium in de Indische Oceaan', 'IO', 'British Indian Ocean Territory'),
  m(1, 'Britse Maagdeneilanden', 'VG', 'British Virgin Islands'),
  m(1, 'Burkina Faso', 'BF', 'Burkina Faso'),
  m(1, 'Burundi', 'BI', 'Burundi'),
  m(1, 'Cambodja', 'KH', 'Cambodia'),
  m(1, 'Centraal-Afrikaanse Republiek', 'CF', 'Central African Republic'),
  m(1, 'Tsjaad', 'TD', 'Chad'),
  m(1, 'China', 'CN', 'China'),
  m(1, 'Christmaseiland', 'CX', 'Christmas Island'),
  m(1, 'Cocoseilanden', 'CC', 'Cocos (Keeling) Islands'),
  m(1, 'Comoren', 'KM', 'Comoros'),
  m(1, 'Congo', 'CG', 'Congo'),
  m(1, 'Congo (DRC)', 'CD', 'Congo (DRC)'),
  m(1, 'Cookeilanden', 'CK', 'Cook Islands'),
  m(1, 'Djibouti', 'DJ', 'Djibouti'),
  m(1, 'Dominica', 'DM', 'Dominica'),
  m(1, 'Equatoriaal-Guinea', 'GQ', 'Equatorial Guinea'),
  m(1, 'Eritrea', 'ER', 'Eritrea'),
  m(1, 'Falklandeilanden', 'FK', 'Falkland Islands'),
  m(1, 'Frans-Guyana', 'GF', 'French Guiana'),
  m(1, 'Frans-Polynesië', 'PF', 'French Polynesia'),
  m(1, 'Franse Gebieden in de zuidelijke Indische Oceaan', 'TF', 'French Southern Territories'),
  m(1, 'Gabon', 'GA', 'Gabon'),
  m(1, 'Gambia', 'GM', 'Gambia'),
  m(1, 'Gibraltar', 'GI', 'Gibraltar'),
  // Column "Gr naar Pal"
  m(2, 'Groenland', 'GL', 'Greenland'),
  m(2, 'Grenada', 'GD', 'Grenada'),
  m(2, 'Guadeloupe', 'GP', 'Guadeloupe'),
  m(2, 'Guam', 'GU', 'Guam'),
  m(2, 'Guernsey', 'GG', 'Guernsey'),
  m(2, 'Guinee', 'GN', 'Guinea'),
  m(2, 'Guinee-Bissau', 'GW', 'Guinea-Bissau'),
  m(2, 'Guyana', 'GY', 'Guyana'),
  m(2, 'Haïti', 'HT', 'Haiti'),
  m(2, 'Heard- en McDonald-eilanden', 'HM', 'Heard Island and McDonald Islands'),
  m(2, 'Isle of Man', 'IM', 'Isle of Man'),
  m(2, 'Jan Mayen', 'SJ', 'Jan Mayen'),
  m(2, 'Jersey', 'JE', 'Jersey'),
  m(2, 'Kiribati', 'KI', 'Kiribati'),
  m(2, 'Kosovo', 'XK', 'Kosovo'),
  m(2, 'Laos', 'LA', 'Laos'),
  m(2, 'Lesotho', 'LS', 'Lesotho'),
  m(2, 'Liberia', 'LR', 'Liberia'),
  m(2, 'Madagaskar', 'MG', 'Madagascar'),
  m(2, 'Malawi', 'MW', 'Malawi'),
  m(2, 'Maldiven', 'MV', 'Maldives'),
  m(2, 'Mali', 'ML', 'Mali'),
  m(2, 'Marshalleilanden', 'MH', 'Marshall Islands'),
  m(2, 'Martinique', 'MQ', 'Martinique'),
  m(2, 'Mauritanië', 'MR', 'Mauritania'),
  m(2, 'Mayotte', 'YT', 'Mayotte'),
  m(2, 'Micronesia', 'FM', 'Micronesia'),
  m(2, 'Montserrat', 'MS', 'Montserrat'),
  m(2, 'Mozambique', 'MZ', 'Mozambique'),
  m(2, 'Myanmar', 'MM', 'Myanmar'),
  m(2, 'Nauru', 'NR', 'Nauru'),
  m(2, 'Nieuw-Caledonië', 'NC', 'New Caledonia'),
  m(2, 'Niger', 'NE', 'Niger'),
  m(2, 'Niue', 'NU', 'Niue'),
  m(2, 'Norfolk', 'NF', 'Norfolk Island'),
  m(2, 'Noordelijke Marianen', 'MP', 'Northern Mariana Islands'),
  m(2, 'Palau', 'PW', 'Palau'),
  // Column "Pap naar Z"
  m(3, 'Papoea-Nieuw-Guinea', 'PG', 'Papua New Guinea'),
  m(3, 'Pitcairneilanden', 'PN', 'Pitcairn Islands'),
  m(3, 'Réunion', 'RE', 'Réunion'),
  m(3, 'Saba', 'BQ', 'Saba'),
  m(3, 'Saint Barthélemy', 'BL', 'Saint Barthélemy'),
  m(3, 'Saint Lucia', 'LC', 'Saint Lucia'),
  m(3, 'Saint-Martin', 'MF', 'Saint Martin'),
  m(3, 'Saint-Pierre en Miquelon', 'PM', 'Saint Pierre and Miquelon'),
  m(3, 'Saint Vincent en de Grenadines', 'VC', 'Saint Vincent and the Grenadines'),
  m(3, 'Samoa', 'WS', 'Samoa'),
  m(3, 'San Marino', 'SM', 'San Marino'),
  m(3, 'Sño Toñ en Prñncipe', 'ST', 'São Tomé and Príncipe'),
  m(3, 'Seychellen', 'SC', 'Seychelles'),
  m(3, 'Sierra Leone', 'SL', 'Sierra Leone'),
  m(3, 'Sint Eustatius', 'BQ', 'Sint Eustatius'),
  m(3, 'Sint Maarten', 'SX', 'Sint Maarten'),
  m(3, 'Salomonseilanden', 'SB', 'Solomon Islands'),
  m(3, 'Somalië', 'SO', 'Somalia'),
  m(3, 'Zuid-Georgië en de Zuidelijke Sandwicheilanden', 'GS', 'South Georgia and the South Sandwich Islands'),
  m(3, 'Zuid-Soedan', 'SS', 'South Sudan'),
  m(3, 'St Helena, Ascension, Tristan da Cunha', 'SH', 'Saint Helena, Ascension and Tristan da Cunha'),
  m(3, 'Suriname', 'SR', 'Suriname'),
  m(3, 'Svalbard', 'SJ', 'Svalbard'),
  m(3, 'Swaziland', 'SZ', 'Eswatini (Swaziland)'),
  m(3, 'Timor-Leste', 'TL', 'Timor-Leste'),
  m(3, 'Togo', 'TG', 'Togo'),
  m(3, 'Tokelau', 'TK', 'Tokelau'),
  m(3, 'Tonga', 'TO', 'Tonga'),
  m(3, 'Turks- en Caicos-eilanden', 'TC', 'Turks and Caicos Islands'),
  m(3, 'Tuvalu', 'TV', 'Tuvalu'),
  m(3, 'Amerikaanse outlyingeilanden', 'UM', 'U.S. Outlying Islands'),
  m(3, 'Vanuatu', 'VU', 'Vanuatu'),
  m(3, 'Vaticaanstad', 'VA', 'Vatican City'),
  m(3, 'Wallis en Walluna', 'WF', 'Wallis and Futuna'),
  m(3, 'Jemen', 'YE', 'Yemen'),
];

/** The unavailable markets by ISO code (one entry per code; BQ and SJ name their first row). */
const BY_CODE: ReadonlyMap<string, UnavailableMarket> = new Map(
  [...RESERVATION_UNAVAILABLE_MARKETS].reverse().map((market) => [market.code, market] as const),
);

/** RES-MARKETS: whether Azure reservations can be bought for customers billed in `country` (ISO alpha-2). */
export function reservationsAvailableIn(country: string): boolean {
  return !BY_CODE.has(country.toUpperCase());
}

/** RES-MARKETS: refused for a customer billed in a market where Azure reservations are unavailable. */
export function checkReservationMarket(
  customer: Pick<CustomerDoc, 'billingCountry' | 'companyName'>,
  field = 'customerId',
): Refused | null {
  const market = BY_CODE.get(customer.billingCountry.toUpperCase());
  if (!market) return null;
  return refuse(
    'RES-MARKETS',
    'NOT_ELIGIBLE',
    `Azure reservations are not available in ${market.name} (${market.code}), where ${customer.companyName} is billed.`,
    field,
  );
}
