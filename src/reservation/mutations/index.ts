/**
 * Azure reservations (RES-*), one resolver class per field: buy (ROLE-SOFTWARE), change scope or
 * Azure subscription, cancel for a refund, exchange (ROLE-RESERVATIONS), and the simulation's
 * utilisation report. Role refusals are FORBIDDEN, other refusals come back as `userErrors`;
 * every input takes `dryRun`.
 */
import { CancelReservationMutation } from './cancel-reservation.js';
import { ExchangeReservationMutation } from './exchange-reservation.js';
import { PurchaseReservationMutation } from './purchase-reservation.js';
import { SetReservationUtilizationMutation } from './set-reservation-utilization.js';
import { UpdateReservationMutation } from './update-reservation.js';

export const reservationMutations = [
  PurchaseReservationMutation,
  UpdateReservationMutation,
  SetReservationUtilizationMutation,
  CancelReservationMutation,
  ExchangeReservationMutation,
] as const;
