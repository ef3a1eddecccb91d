import { Field, ObjectType } from 'type-graphql';

@ObjectType({ description: 'The simulation clock every window is measured against (GEN-CLOCK).' })
export class SimulationClock {
  @Field(() => Date, { description: 'The current simulated instant, UTC.' })
  now!: Date;
}
