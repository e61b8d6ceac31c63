import { Module } from '@nestjs/common';

/** Tables (LKO), member organisations, memberships and covenants. */
@Module({ controllers: [], providers: [], exports: [] })
export class TablesModule {}
