import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller.js';

/** Auditors' endpoints over the event log: streams, the global log, aggregates as of a point. */
@Module({ controllers: [AuditController] })
export class AuditModule {}
