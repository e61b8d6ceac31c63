import { Body, Controller, Get, Headers, HttpStatus, Param, Put, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiResponse, ApiTags, getSchemaPath, ApiExtraModels } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { createHash } from 'node:crypto';
import { Authenticated, Public } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ApiInvalidInput, ApiNotFound, ApiProblem } from '../common/api-docs';
import { setOwnResponseHeaders } from '../common/http-hardening';
import { uuidParam } from '../common/pipes';
import { CommonError, DomainException } from '../common/problem';
import { Ctx, type RequestContext } from '../common/request-context';
import { ApiTableIdParam } from '../tables/table.docs';
import { ContactCardView, ReplaceContactCardDto } from './contact-card.dto';
import { CONTACT_CARD_CSP, renderContactCardHtml } from './contact-card.html';
import { ContactCardService } from './contact-card.service';
import { negotiateMediaType } from '../common/content-negotiation';

const JSON_TYPE = 'application/json';
const HTML_TYPE = 'text/html';
/** Five minutes: a corrected phone number reaches every reader soon, and a printed card is read once. */
export const CONTACT_CARD_CACHE_CONTROL = 'public, max-age=300';

/** JSON or HTML by the q-values of the Accept header (a browser gets the page, curl and clients JSON). */
export function negotiateCard(accept: string | undefined): 'json' | 'html' | undefined {
  const type = negotiateMediaType(accept, [JSON_TYPE, HTML_TYPE] as const);
  return type === undefined ? undefined : type === HTML_TYPE ? 'html' : 'json';
}

/** Whether `If-None-Match` names this entity tag (weak comparison, RFC 9110 13.1.2), or is `*`. */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

const addVary = (reply: FastifyReply, field: string) => {
  const current = String(reply.getHeader('vary') ?? '');
  const fields = current.split(',').map((f) => f.trim()).filter(Boolean);
  if (!fields.some((f) => f.toLowerCase() === field.toLowerCase())) reply.header('Vary', [...fields, field].join(', '));
};

@ApiTags('contact-cards')
@ApiTableIdParam()
@ApiExtraModels(ContactCardView)
@Controller('tables/:id/contact-card')
export class ContactCardController {
  constructor(private readonly cards: ContactCardService) {}

  @Get()
  @Public()
  @ApiOperation({
    summary: 'The public contact card (meldkaart) of a table, as JSON or as a printable page',
    description:
      'For shopkeepers and neighbours: the services to call or visit about nuisance and crime (police, COA, security, the municipality), ' +
      'with phone numbers, opening hours and web addresses. No personal data; no token needed. Send `Accept: text/html` (a browser does) ' +
      'for the page in Dutch to print (A4), otherwise JSON. Cacheable by anyone for five minutes (`Cache-Control: public, max-age=300`); ' +
      'send the `ETag` back in `If-None-Match` to get 304 when nothing changed.',
  })
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'The ETag of a copy you hold.' })
  @ApiProduces(JSON_TYPE, HTML_TYPE)
  @ApiOkResponse({
    description: 'The card.',
    content: { [JSON_TYPE]: { schema: { $ref: getSchemaPath(ContactCardView) } }, [HTML_TYPE]: { schema: { type: 'string' } } },
  })
  @ApiResponse({ status: 304, description: 'Not modified: the copy named in If-None-Match is current.' })
  @ApiInvalidInput()
  @ApiNotFound('The table, or its contact card (not published, or the table is inactive)')
  @ApiProblem(406, 'Neither JSON nor HTML is acceptable (`not_acceptable`).')
  async read(
    @Param('id', uuidParam('id')) id: string,
    @Headers('accept') accept: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string | undefined> {
    const format = negotiateCard(accept);
    if (!format) throw new DomainException(HttpStatus.NOT_ACCEPTABLE, CommonError.NotAcceptable, `The contact card is available as ${JSON_TYPE} or ${HTML_TYPE}.`);
    const card = await this.cards.published(id);
    const body = format === 'html' ? renderContactCardHtml(card) : JSON.stringify(card);
    const etag = `"${createHash('sha256').update(format).update('\n').update(body).digest('base64url').slice(0, 32)}"`;
    setOwnResponseHeaders(reply, { 'Cache-Control': CONTACT_CARD_CACHE_CONTROL, ...(format === 'html' ? { 'Content-Security-Policy': CONTACT_CARD_CSP } : {}) });
    addVary(reply, 'Accept');
    reply.header('ETag', etag);
    if (matchesEtag(ifNoneMatch, etag)) {
      reply.status(HttpStatus.NOT_MODIFIED);
      return undefined;
    }
    reply.type(format === 'html' ? `${HTML_TYPE}; charset=utf-8` : `${JSON_TYPE}; charset=utf-8`);
    return body;
  }

  @Put()
  @Authenticated({ permission: Permission.ContactCardManage })
  @ApiOperation({
    summary: "Publish or replace the table's contact card",
    description:
      'Only the chair of the table. The whole card: a heading, an optional introduction and 1–20 contact points in print order. Services ' +
      'only: there is no field for a person, and no text may hold an e-mail address. Each point needs a phone number (Dutch formats or ' +
      '+country) or an https address. Public at once (caches may hold the previous card for up to five minutes).',
  })
  @ApiOkResponse({ type: ContactCardView })
  @ApiInvalidInput()
  @ApiNotFound('The table')
  @ApiProblem(403, 'You are a member but not the chair of this table (`chair_only`).')
  replace(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: ReplaceContactCardDto): Promise<ContactCardView> {
    return this.cards.replace(ctx, id, dto);
  }
}
