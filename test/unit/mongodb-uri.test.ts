// MONGODB_URI is checked for its form when the config is loaded (src/shared/config.ts), so that a
// malformed one stops the gateway with one line naming the expected form, not a driver stack trace.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, MONGODB_URI_FORMS, redactMongoUri } from '../../src/shared/config.js';

describe('MONGODB_URI', () => {
  it.each([
    'mongodb://127.0.0.1:27017/',
    'mongodb://db:27017',
    'mongodb://db',
    'mongodb://user:secret@db.example:27017/partner_center?authSource=admin',
    'mongodb://a:27017,b:27018,c/db?replicaSet=rs0',
    'mongodb://[::1]:27017/',
    'mongodb://%2Ftmp%2Fmongodb-27017.sock',
    'mongodb+srv://user:secret@cluster0.example.net/db?retryWrites=true',
  ])('accepts %s', (uri) => {
    expect(loadConfig({ MONGODB_URI: uri }).mongodbUri).toBe(uri);
  });

  it.each([
    ['garbage', 'garbage'],
    ['localhost:27017', 'localhost:27017'],
    ['http://db:27017', 'http://db:27017'],
    ['mongodb://', 'mongodb://'],
    ['mongodb:/db:27017', 'mongodb:/db:27017'],
    ['mongodb://db:99999', 'mongodb://db:99999'],
    ['mongodb://db:port', 'mongodb://db:port'],
    ['mongodb+srv://cluster0.example.net:27017/db', 'mongodb+srv://cluster0.example.net:27017/db'],
    ['mongodb+srv://a.example.net,b.example.net/db', 'mongodb+srv://a.example.net,b.example.net/db'],
    ['mongodb://user:pa/ss@db:27017', 'mongodb://***@db:27017'],
    ['user:secret@db:27017', '***@db:27017'],
  ])('refuses %s with the expected form, credentials hidden', (uri, shown) => {
    let error: unknown;
    try {
      loadConfig({ MONGODB_URI: uri });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(`MONGODB_URI must be ${MONGODB_URI_FORMS}, but got '${shown}'`);
    expect((error as Error).message).not.toContain('secret');
    expect((error as Error).message).toContain('mongodb://host:port/db');
    expect((error as Error).message).toContain('mongodb+srv://');
  });

  it('unset or blank means none', () => {
    expect(loadConfig({}).mongodbUri).toBeNull();
    expect(loadConfig({ MONGODB_URI: '  ' }).mongodbUri).toBeNull();
  });

  it('redacts credentials for logs', () => {
    expect(redactMongoUri('mongodb://user:secret@db.example:27017/')).toBe('mongodb://***@db.example:27017/');
    expect(redactMongoUri('mongodb+srv://u:p@c.example.net/db')).toBe('mongodb+srv://***@c.example.net/db');
    expect(redactMongoUri('mongodb://db.example:27017/')).toBe('mongodb://db.example:27017/');
  });
});
