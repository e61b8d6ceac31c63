import { Module } from '@nestjs/common';

/** Nominations, list imports, the draft agenda, editing and publishing, the per-viewer agenda. */
@Module({ controllers: [], providers: [], exports: [] })
export class AgendaModule {}
