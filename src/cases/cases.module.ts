import { Module } from '@nestjs/common';

/** Subjects and cases: status, strategy, deadlines, transfer, lists and search. */
@Module({ controllers: [], providers: [], exports: [] })
export class CasesModule {}
