import { Module } from '@nestjs/common';
import { ContactCardController } from './contact-card.controller';
import { ContactCardService } from './contact-card.service';

/** The public contact card (meldkaart) of each table. AccessService comes from the global SharingModule. */
@Module({ controllers: [ContactCardController], providers: [ContactCardService] })
export class ContactCardsModule {}
