import { isConnectionFailure } from '../src/index.js';

const withCode = (message: string, code: string): Error => Object.assign(new Error(message), { code });

describe('isConnectionFailure', () => {
  it('knows a server that is down, restarting, crashed or unreachable', () => {
    for (const error of [
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('read ECONNRESET', 'ECONNRESET'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('terminating connection because of crash of another server process', '57P02'),
      withCode('the database system is starting up', '57P03'),
      withCode('the database system is shutting down', '57P03'),
      withCode('sorry, too many clients already', '53300'),
      withCode('connection failure', '08006'),
      new Error('Connection terminated unexpectedly'),
      new Error('Client has encountered a connection error and is not queryable'),
      new Error('a wrapper', { cause: withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED') }),
      new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], 'all addresses failed'),
    ]) {
      expect([error.message, isConnectionFailure(error)]).toEqual([error.message, true]);
    }
  });

  it('leaves the statement errors and everything else alone', () => {
    for (const error of [
      withCode('duplicate key value violates unique constraint', '23505'),
      withCode('relation "x" does not exist', '42P01'),
      withCode('canceling statement due to statement timeout', '57014'),
      withCode('could not serialize access', '40001'),
      new Error('Connection to a mart'),
      'ECONNREFUSED',
      undefined,
    ]) {
      expect(isConnectionFailure(error)).toBe(false);
    }
  });
});
