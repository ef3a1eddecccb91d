// Node entry hook for running TypeScript directly: swc keeps decorator metadata, which
// type-graphql needs (tsx and plain type-stripping drop it). reflect-metadata must be
// loaded before any decorated class, so it is imported here, first, for every entry point.
import 'reflect-metadata';
import '@swc-node/register/esm-register';
