import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@olist/security';
import { DashboardAssets } from './dashboard-assets.js';

interface AssetResponse {
  setHeader(name: string, value: string): unknown;
  send(body: Buffer): unknown;
}

/**
 * The page and its files are public: they hold no data. The page asks for an API key and calls the JSON API
 * with it, so every figure it shows is behind the same keys and roles as the API.
 */
@ApiExcludeController()
@Public()
@Controller()
export class DashboardController {
  constructor(private readonly assets: DashboardAssets) {}

  /** The same page as `/dashboard` (its files are under /dashboard/ either way). */
  @Get()
  root(@Res() response: AssetResponse): void {
    this.send('index.html', response);
  }

  @Get('dashboard')
  page(@Res() response: AssetResponse): void {
    this.send('index.html', response);
  }

  @Get('dashboard/:asset')
  asset(@Param('asset') name: string, @Res() response: AssetResponse): void {
    this.send(name, response);
  }

  private send(name: string, response: AssetResponse): void {
    const asset = this.assets.get(name);
    if (!asset) throw new NotFoundException(`no dashboard file ${JSON.stringify(name.slice(0, 60))}`);
    response.setHeader('Content-Type', asset.contentType);
    // Revalidated on every load (Express answers 304 on a matching ETag), so a new version shows at once.
    response.setHeader('Cache-Control', 'no-cache');
    response.send(asset.body);
  }
}
