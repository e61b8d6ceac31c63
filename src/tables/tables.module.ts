import { Module } from '@nestjs/common';
import { CovenantController } from './covenant.controller';
import { CovenantService } from './covenant.service';
import { MemberOrganisationController } from './member-organisation.controller';
import { MemberOrganisationService } from './member-organisation.service';
import { MembershipController } from './membership.controller';
import { MembershipService } from './membership.service';
import { ProcessingRegisterController } from './processing-register.controller';
import { ProcessingRegisterService } from './processing-register.service';
import { TableController } from './table.controller';
import { TablePolicy } from './table.policy';
import { TableService } from './table.service';

/** Tables (LKO), member organisations, memberships and covenants. AccessService comes from the global SharingModule. */
@Module({
  controllers: [TableController, MemberOrganisationController, MembershipController, CovenantController, ProcessingRegisterController],
  providers: [TablePolicy, TableService, MemberOrganisationService, MembershipService, CovenantService, ProcessingRegisterService],
})
export class TablesModule {}
