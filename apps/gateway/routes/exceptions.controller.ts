import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsNotEmpty, IsString, MaxLength, ValidateNested } from 'class-validator';
import { EvidenceDto, ExceptionView, Subjects } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { CurrentPrincipal, Principal, Roles } from '../http';

class ResolveDto {
  @IsString() @IsNotEmpty() @MaxLength(4000) resolution: string;
  @IsArray() @ArrayMinSize(1, { message: 'evidence needs at least one item' }) @ValidateNested({ each: true }) @Type(() => EvidenceDto) evidence: EvidenceDto[];
}

@ApiTags('exceptions')
@ApiBearerAuth()
@Controller('v1/exceptions')
export class ExceptionsController {
  constructor(private readonly rpc: RpcClient) {}

  @Get(':id')
  get(@Param('id') id: string): Promise<ExceptionView> {
    return this.rpc.request(Subjects.exceptions.get, { exceptionId: id });
  }

  @Post(':id/resolve')
  @Roles('operator')
  @HttpCode(200)
  resolve(@Param('id') id: string, @Body() body: ResolveDto, @CurrentPrincipal() p: Principal): Promise<ExceptionView> {
    return this.rpc.request(Subjects.exceptions.resolve, { exceptionId: id, by: p.id, ...body });
  }
}
