/**
 * Reference data the generator draws from: the 71 public Olist category names (pt/en, as in
 * product_category_name_translation.csv), a table of Brazilian cities with CEP prefix ranges and
 * coordinates, and the weights that make the output look like Olist (SP dominant, growth over time,
 * daytime purchases, ...). Weights are approximations of the public dataset's shape, not copies of it.
 */
import type { Uf } from '@olist/shared-kernel';

export interface Category {
  readonly pt: string;
  readonly en: string;
  /** Relative share of products. */
  readonly weight: number;
  /** Price multiplier relative to the overall median. */
  readonly priceFactor: number;
}

/** The 71 rows of product_category_name_translation.csv, in the file's order. */
export const CATEGORIES: ReadonlyArray<Category> = (
  [
    ['beleza_saude', 'health_beauty', 7.4, 1],
    ['informatica_acessorios', 'computers_accessories', 5.0, 1.2],
    ['automotivo', 'auto', 5.9, 1],
    ['cama_mesa_banho', 'bed_bath_table', 9.2, 1.1],
    ['moveis_decoracao', 'furniture_decor', 8.0, 1],
    ['esporte_lazer', 'sports_leisure', 8.7, 1],
    ['perfumaria', 'perfumery', 2.6, 1],
    ['utilidades_domesticas', 'housewares', 7.1, 1],
    ['telefonia', 'telephony', 3.9, 0.6],
    ['relogios_presentes', 'watches_gifts', 4.9, 2.2],
    ['alimentos_bebidas', 'food_drink', 0.3, 1],
    ['bebes', 'baby', 2.8, 1.3],
    ['papelaria', 'stationery', 2.6, 0.8],
    ['tablets_impressao_imagem', 'tablets_printing_image', 0.03, 1],
    ['brinquedos', 'toys', 4.4, 1],
    ['telefonia_fixa', 'fixed_telephony', 0.3, 1],
    ['ferramentas_jardim', 'garden_tools', 2.3, 1],
    ['fashion_bolsas_e_acessorios', 'fashion_bags_accessories', 2.6, 0.9],
    ['eletroportateis', 'small_appliances', 1.0, 1],
    ['consoles_games', 'consoles_games', 1.0, 1.5],
    ['audio', 'audio', 0.05, 1],
    ['fashion_calcados', 'fashion_shoes', 0.5, 1],
    ['cool_stuff', 'cool_stuff', 2.4, 1],
    ['malas_acessorios', 'luggage_accessories', 1.0, 1],
    ['climatizacao', 'air_conditioning', 0.4, 2],
    ['construcao_ferramentas_construcao', 'construction_tools_construction', 1.2, 1],
    ['moveis_cozinha_area_de_servico_jantar_e_jardim', 'kitchen_dining_laundry_garden_furniture', 0.3, 1],
    ['construcao_ferramentas_jardim', 'costruction_tools_garden', 0.05, 1],
    ['fashion_roupa_masculina', 'fashion_male_clothing', 0.3, 1],
    ['pet_shop', 'pet_shop', 2.2, 1],
    ['moveis_escritorio', 'office_furniture', 0.9, 1.8],
    ['market_place', 'market_place', 0.3, 1],
    ['eletronicos', 'electronics', 1.6, 1],
    ['eletrodomesticos', 'home_appliances', 0.6, 1.5],
    ['artigos_de_festas', 'party_supplies', 0.1, 1],
    ['casa_conforto', 'home_confort', 0.05, 1],
    ['construcao_ferramentas_ferramentas', 'costruction_tools_tools', 0.1, 1],
    ['agro_industria_e_comercio', 'agro_industry_and_commerce', 0.2, 2.5],
    ['moveis_colchao_e_estofado', 'furniture_mattress_and_upholstery', 0.03, 1],
    ['livros_tecnicos', 'books_technical', 0.4, 1.0],
    ['casa_construcao', 'home_construction', 0.9, 1],
    ['instrumentos_musicais', 'musical_instruments', 0.9, 2.3],
    ['moveis_sala', 'furniture_living_room', 0.5, 1.8],
    ['construcao_ferramentas_iluminacao', 'construction_tools_lights', 0.4, 1],
    ['industria_comercio_e_negocios', 'industry_commerce_and_business', 0.2, 1],
    ['alimentos', 'food', 0.2, 1],
    ['artes', 'art', 0.2, 1],
    ['moveis_quarto', 'furniture_bedroom', 0.1, 1],
    ['livros_interesse_geral', 'books_general_interest', 0.6, 1],
    ['construcao_ferramentas_seguranca', 'construction_tools_safety', 0.3, 1.6],
    ['fashion_underwear_e_moda_praia', 'fashion_underwear_beach', 0.2, 1],
    ['fashion_esporte', 'fashion_sport', 0.05, 1],
    ['sinalizacao_e_seguranca', 'signaling_and_security', 0.3, 1],
    ['pcs', 'computers', 0.1, 8],
    ['artigos_de_natal', 'christmas_supplies', 0.05, 1],
    ['fashion_roupa_feminina', 'fashio_female_clothing', 0.05, 1],
    ['eletrodomesticos_2', 'home_appliances_2', 0.05, 4],
    ['livros_importados', 'books_imported', 0.05, 1],
    ['bebidas', 'drinks', 0.3, 1],
    ['cine_foto', 'cine_photo', 0.05, 1],
    ['la_cuisine', 'la_cuisine', 0.05, 1],
    ['musica', 'music', 0.05, 1],
    ['casa_conforto_2', 'home_comfort_2', 0.05, 0.4],
    ['portateis_casa_forno_e_cafe', 'small_appliances_home_oven_and_coffee', 0.05, 3.5],
    ['cds_dvds_musicais', 'cds_dvds_musicals', 0.05, 0.7],
    ['dvds_blu_ray', 'dvds_blu_ray', 0.05, 0.8],
    ['flores', 'flowers', 0.05, 0.5],
    ['artes_e_artesanato', 'arts_and_craftmanship', 0.05, 1],
    ['fraldas_higiene', 'diapers_and_hygiene', 0.05, 1],
    ['fashion_roupa_infanto_juvenil', 'fashion_childrens_clothes', 0.05, 1],
    ['seguros_e_servicos', 'security_and_services', 0.05, 1],
  ] as const
).map(([pt, en, weight, priceFactor]) => ({ pt, en, weight, priceFactor }));

export interface City {
  readonly name: string;
  readonly state: Uf;
  /** Inclusive CEP prefix range (5-digit numbers). */
  readonly zipFrom: number;
  readonly zipTo: number;
  readonly lat: number;
  readonly lng: number;
  /** Relative weight inside its state. */
  readonly weight: number;
}

type CityRow = readonly [name: string, state: Uf, zipFrom: number, zipTo: number, lat: number, lng: number, weight: number];

const CITY_ROWS: ReadonlyArray<CityRow> = [
  // SP 01000-19999
  ['sao paulo', 'SP', 1000, 5999, -23.55, -46.63, 37],
  ['sao paulo', 'SP', 8000, 8499, -23.55, -46.47, 3],
  ['guarulhos', 'SP', 7000, 7399, -23.46, -46.53, 3],
  ['osasco', 'SP', 6000, 6299, -23.53, -46.79, 2],
  ['barueri', 'SP', 6400, 6499, -23.51, -46.88, 1],
  ['santo andre', 'SP', 9000, 9299, -23.66, -46.53, 2],
  ['sao bernardo do campo', 'SP', 9600, 9899, -23.69, -46.56, 2.2],
  ['mogi das cruzes', 'SP', 8700, 8899, -23.52, -46.19, 1],
  ['campinas', 'SP', 13000, 13139, -22.91, -47.06, 3.6],
  ['jundiai', 'SP', 13200, 13219, -23.19, -46.88, 1],
  ['piracicaba', 'SP', 13400, 13429, -22.73, -47.65, 0.8],
  ['limeira', 'SP', 13480, 13489, -22.56, -47.4, 0.5],
  ['santos', 'SP', 11000, 11099, -23.96, -46.33, 1.7],
  ['sao jose dos campos', 'SP', 12200, 12249, -23.18, -45.88, 1.7],
  ['taubate', 'SP', 12000, 12119, -23.03, -45.56, 0.6],
  ['ribeirao preto', 'SP', 14000, 14114, -21.18, -47.81, 1.2],
  ['franca', 'SP', 14400, 14414, -20.54, -47.4, 0.5],
  ['ibitinga', 'SP', 14940, 14944, -21.76, -48.83, 0.1],
  ['sao jose do rio preto', 'SP', 15000, 15099, -20.81, -49.38, 0.9],
  ['bauru', 'SP', 17000, 17099, -22.31, -49.06, 0.7],
  ['sorocaba', 'SP', 18000, 18109, -23.5, -47.46, 1.6],
  ['presidente prudente', 'SP', 19000, 19099, -22.12, -51.39, 0.5],
  // RJ 20000-28999
  ['rio de janeiro', 'RJ', 20000, 23799, -22.91, -43.2, 53],
  ['niteroi', 'RJ', 24000, 24399, -22.88, -43.1, 7],
  ['sao goncalo', 'RJ', 24400, 24799, -22.83, -43.05, 5],
  ['duque de caxias', 'RJ', 25000, 25299, -22.79, -43.31, 4],
  ['nova iguacu', 'RJ', 26000, 26099, -22.76, -43.45, 4],
  ['petropolis', 'RJ', 25600, 25779, -22.51, -43.18, 2],
  ['volta redonda', 'RJ', 27200, 27299, -22.52, -44.1, 2],
  ['macae', 'RJ', 27900, 27979, -22.37, -41.79, 1.5],
  ['campos dos goytacazes', 'RJ', 28000, 28099, -21.75, -41.32, 2],
  // ES 29000-29999
  ['vitoria', 'ES', 29000, 29099, -20.32, -40.34, 4],
  ['vila velha', 'ES', 29100, 29129, -20.33, -40.29, 4],
  ['cariacica', 'ES', 29140, 29159, -20.26, -40.42, 1.5],
  ['serra', 'ES', 29160, 29184, -20.13, -40.31, 2.5],
  ['cachoeiro de itapemirim', 'ES', 29300, 29329, -20.85, -41.11, 1],
  // MG 30000-39999
  ['belo horizonte', 'MG', 30000, 31999, -19.92, -43.94, 24],
  ['contagem', 'MG', 32000, 32399, -19.93, -44.05, 4],
  ['betim', 'MG', 32600, 32699, -19.97, -44.2, 2],
  ['juiz de fora', 'MG', 36000, 36099, -21.76, -43.35, 5],
  ['uberlandia', 'MG', 38400, 38419, -18.91, -48.28, 5],
  ['uberaba', 'MG', 38000, 38099, -19.75, -47.93, 2],
  ['montes claros', 'MG', 39400, 39409, -16.73, -43.86, 2],
  ['governador valadares', 'MG', 35000, 35099, -18.85, -41.95, 1.5],
  ['ipatinga', 'MG', 35160, 35164, -19.47, -42.54, 1.5],
  ['divinopolis', 'MG', 35500, 35504, -20.14, -44.88, 1.5],
  ['pocos de caldas', 'MG', 37700, 37719, -21.79, -46.56, 1.5],
  // BA 40000-48999
  ['salvador', 'BA', 40000, 42499, -12.97, -38.5, 38],
  ['lauro de freitas', 'BA', 42700, 42749, -12.89, -38.33, 4],
  ['camacari', 'BA', 42800, 42849, -12.7, -38.32, 3],
  ['feira de santana', 'BA', 44000, 44099, -12.27, -38.97, 6],
  ['vitoria da conquista', 'BA', 45000, 45099, -14.86, -40.84, 4],
  ['itabuna', 'BA', 45600, 45612, -14.79, -39.28, 2],
  ['ilheus', 'BA', 45650, 45662, -14.79, -39.05, 2],
  // SE 49000-49999
  ['aracaju', 'SE', 49000, 49099, -10.91, -37.07, 8],
  ['nossa senhora do socorro', 'SE', 49160, 49169, -10.86, -37.13, 1],
  ['lagarto', 'SE', 49400, 49409, -10.92, -37.65, 1],
  // PE 50000-56999
  ['recife', 'PE', 50000, 52999, -8.05, -34.9, 10],
  ['olinda', 'PE', 53000, 53299, -8.01, -34.86, 2],
  ['paulista', 'PE', 53400, 53499, -7.94, -34.87, 1.5],
  ['jaboatao dos guararapes', 'PE', 54000, 54499, -8.11, -35.01, 3],
  ['caruaru', 'PE', 55000, 55099, -8.28, -35.97, 1.5],
  ['petrolina', 'PE', 56300, 56399, -9.39, -40.5, 1.5],
  // AL 57000-57999
  ['maceio', 'AL', 57000, 57099, -9.67, -35.74, 8],
  ['arapiraca', 'AL', 57300, 57319, -9.75, -36.66, 1],
  // PB 58000-58999
  ['joao pessoa', 'PB', 58000, 58099, -7.12, -34.86, 6],
  ['campina grande', 'PB', 58400, 58439, -7.23, -35.88, 2],
  // RN 59000-59999
  ['natal', 'RN', 59000, 59139, -5.79, -35.21, 7],
  ['parnamirim', 'RN', 59140, 59161, -5.92, -35.26, 2],
  ['mossoro', 'RN', 59600, 59649, -5.19, -37.34, 1.5],
  // CE 60000-63999
  ['fortaleza', 'CE', 60000, 61599, -3.73, -38.52, 12],
  ['caucaia', 'CE', 61600, 61659, -3.73, -38.66, 1],
  ['sobral', 'CE', 62000, 62119, -3.69, -40.35, 1],
  ['juazeiro do norte', 'CE', 63000, 63059, -7.21, -39.32, 1],
  // PI 64000-64999
  ['teresina', 'PI', 64000, 64099, -5.09, -42.8, 6],
  ['parnaiba', 'PI', 64200, 64219, -2.9, -41.77, 1],
  // MA 65000-65999
  ['sao luis', 'MA', 65000, 65099, -2.53, -44.3, 6],
  ['imperatriz', 'MA', 65900, 65919, -5.53, -47.48, 2],
  // PA 66000-68899
  ['belem', 'PA', 66000, 66999, -1.46, -48.5, 8],
  ['ananindeua', 'PA', 67000, 67199, -1.37, -48.37, 2],
  ['santarem', 'PA', 68000, 68109, -2.44, -54.71, 1],
  ['maraba', 'PA', 68500, 68519, -5.37, -49.12, 1],
  // AP 68900-68999
  ['macapa', 'AP', 68900, 68924, 0.03, -51.07, 6],
  ['santana', 'AP', 68925, 68929, -0.06, -51.17, 1],
  // AM 69000-69299, 69400-69899
  ['manaus', 'AM', 69000, 69099, -3.12, -60.02, 10],
  ['parintins', 'AM', 69150, 69159, -2.63, -56.74, 1],
  // RR 69300-69399
  ['boa vista', 'RR', 69300, 69339, 2.82, -60.67, 1],
  // AC 69900-69999
  ['rio branco', 'AC', 69900, 69923, -9.97, -67.81, 6],
  ['cruzeiro do sul', 'AC', 69980, 69981, -7.63, -72.67, 1],
  // DF 70000-72799, 73000-73699
  ['brasilia', 'DF', 70000, 72799, -15.79, -47.88, 8],
  ['brasilia', 'DF', 73000, 73699, -15.65, -47.79, 1],
  // GO 72800-72999, 73700-76799
  ['luziania', 'GO', 72800, 72899, -16.25, -47.95, 1],
  ['goiania', 'GO', 74000, 74899, -16.68, -49.25, 10],
  ['aparecida de goiania', 'GO', 74900, 74999, -16.82, -49.24, 2],
  ['anapolis', 'GO', 75000, 75159, -16.33, -48.95, 2],
  ['rio verde', 'GO', 75900, 75909, -17.8, -50.93, 1],
  // TO 77000-77999
  ['palmas', 'TO', 77000, 77299, -10.18, -48.33, 4],
  ['araguaina', 'TO', 77800, 77829, -7.19, -48.21, 2],
  // MT 78000-78899
  ['cuiaba', 'MT', 78000, 78099, -15.6, -56.1, 8],
  ['varzea grande', 'MT', 78110, 78159, -15.65, -56.13, 2],
  ['sinop', 'MT', 78550, 78559, -11.86, -55.5, 1],
  ['rondonopolis', 'MT', 78700, 78739, -16.47, -54.64, 1.5],
  // RO 76800-76999
  ['porto velho', 'RO', 76800, 76834, -8.76, -63.9, 5],
  ['ji-parana', 'RO', 76900, 76914, -10.88, -61.95, 1],
  // MS 79000-79999
  ['campo grande', 'MS', 79000, 79124, -20.47, -54.62, 8],
  ['tres lagoas', 'MS', 79600, 79649, -20.75, -51.68, 1],
  ['dourados', 'MS', 79800, 79849, -22.22, -54.81, 1.5],
  // PR 80000-87999
  ['curitiba', 'PR', 80000, 82999, -25.43, -49.27, 30],
  ['sao jose dos pinhais', 'PR', 83000, 83099, -25.53, -49.21, 3],
  ['colombo', 'PR', 83400, 83414, -25.29, -49.22, 1.5],
  ['ponta grossa', 'PR', 84000, 84099, -25.09, -50.16, 4],
  ['cascavel', 'PR', 85800, 85824, -24.96, -53.46, 3],
  ['foz do iguacu', 'PR', 85850, 85874, -25.55, -54.59, 3],
  ['londrina', 'PR', 86000, 86099, -23.31, -51.16, 7],
  ['maringa', 'PR', 87000, 87119, -23.42, -51.94, 6],
  // SC 88000-89999
  ['florianopolis', 'SC', 88000, 88099, -27.6, -48.55, 10],
  ['sao jose', 'SC', 88100, 88124, -27.61, -48.63, 4],
  ['itajai', 'SC', 88300, 88319, -26.91, -48.66, 3],
  ['balneario camboriu', 'SC', 88330, 88339, -26.99, -48.63, 3],
  ['criciuma', 'SC', 88800, 88819, -28.68, -49.37, 3],
  ['blumenau', 'SC', 89000, 89099, -26.92, -49.07, 6],
  ['joinville', 'SC', 89200, 89239, -26.3, -48.85, 7],
  ['chapeco', 'SC', 89800, 89816, -27.1, -52.62, 2],
  // RS 90000-99999
  ['porto alegre', 'RS', 90000, 91999, -30.03, -51.23, 25],
  ['canoas', 'RS', 92000, 92479, -29.92, -51.18, 5],
  ['novo hamburgo', 'RS', 93300, 93599, -29.68, -51.13, 4],
  ['gravatai', 'RS', 94000, 94279, -29.94, -50.99, 3],
  ['caxias do sul', 'RS', 95000, 95124, -29.17, -51.18, 7],
  ['pelotas', 'RS', 96000, 96099, -31.77, -52.34, 5],
  ['santa maria', 'RS', 97000, 97119, -29.69, -53.81, 4],
  ['passo fundo', 'RS', 99000, 99099, -28.26, -52.41, 3],
];

export const CITIES: ReadonlyArray<City> = CITY_ROWS.map(([name, state, zipFrom, zipTo, lat, lng, weight]) => ({
  name, state, zipFrom, zipTo, lat, lng, weight,
}));

/** Share of customers per state (percent, approximately Olist's). */
export const CUSTOMER_STATE_WEIGHTS: Readonly<Record<Uf, number>> = {
  SP: 41.98, RJ: 12.92, MG: 11.7, RS: 5.5, PR: 5.07, SC: 3.66, BA: 3.4, DF: 2.15, ES: 2.04, GO: 2.03,
  PE: 1.66, CE: 1.34, PA: 0.98, MT: 0.91, MA: 0.75, MS: 0.72, PB: 0.54, PI: 0.5, RN: 0.49, AL: 0.42,
  SE: 0.35, TO: 0.28, RO: 0.25, AM: 0.15, AC: 0.08, AP: 0.07, RR: 0.05,
};

/** Share of sellers per state (percent, approximately Olist's: sellers are concentrated in the South-East). */
export const SELLER_STATE_WEIGHTS: Readonly<Record<Uf, number>> = {
  SP: 59.7, PR: 11.3, MG: 7.9, SC: 6.1, RJ: 5.5, RS: 4.9, GO: 1.3, DF: 1.0, ES: 0.75, BA: 0.6, CE: 0.4,
  PE: 0.3, PB: 0.2, MS: 0.16, RN: 0.16, MT: 0.12, RO: 0.07, SE: 0.05, PI: 0.03, AM: 0.03, MA: 0.03,
  PA: 0.03, AC: 0.03, AL: 0, AP: 0, RR: 0, TO: 0,
};

/** Days from purchase to the estimated delivery date, by customer state (base before noise). */
export const ESTIMATE_BASE_DAYS: Readonly<Record<Uf, number>> = {
  SP: 17, RJ: 23, MG: 22, ES: 23, PR: 22, SC: 23, RS: 25, DF: 24, GO: 25, MS: 25, MT: 29,
  BA: 28, SE: 30, PE: 30, AL: 31, PB: 31, RN: 31, CE: 30, PI: 30, MA: 31,
  PA: 33, AP: 36, AM: 37, RR: 38, AC: 37, RO: 35, TO: 31,
};

/**
 * Relative order volume per month of purchase (2016-09 .. 2018-10): a slow start in late 2016, growth
 * through 2017 with a Black Friday peak in November, a plateau in 2018 and a few stragglers at the end.
 */
export const MONTH_WEIGHTS: ReadonlyArray<readonly [year: number, month: number, weight: number]> = [
  [2016, 9, 4], [2016, 10, 324], [2016, 12, 1],
  [2017, 1, 800], [2017, 2, 1780], [2017, 3, 2682], [2017, 4, 2404], [2017, 5, 3700], [2017, 6, 3245],
  [2017, 7, 4026], [2017, 8, 4331], [2017, 9, 4285], [2017, 10, 4631], [2017, 11, 7544], [2017, 12, 5673],
  [2018, 1, 7269], [2018, 2, 6728], [2018, 3, 7211], [2018, 4, 6939], [2018, 5, 6873], [2018, 6, 6167],
  [2018, 7, 6292], [2018, 8, 6512], [2018, 9, 16], [2018, 10, 4],
];

/** First and last purchase instants (UTC ms). */
export const PURCHASE_START = Date.UTC(2016, 8, 4, 0, 0, 0);
export const PURCHASE_END = Date.UTC(2018, 9, 17, 23, 59, 59);

/** Relative purchase volume per hour of day (0..23). */
export const HOUR_WEIGHTS: ReadonlyArray<number> = [
  2394, 1170, 510, 272, 206, 188, 502, 1231, 2967, 4785, 6177, 6578,
  5995, 6518, 6569, 6454, 6675, 6150, 5769, 5982, 6193, 6217, 5816, 4123,
];

/** Review comment fragments (Portuguese), by sentiment. Some contain commas; quoted ones contain `"`. */
export const REVIEW_PHRASES = {
  positive: [
    'Produto muito bom', 'Chegou antes do prazo', 'Recomendo', 'Ótimo produto, recomendo',
    'Entrega rápida e produto de qualidade', 'Tudo certo, produto conforme o anúncio', 'Muito satisfeita com a compra',
    'Gostei muito, chegou bem embalado', 'Excelente vendedor', 'Produto de ótima qualidade, superou minhas expectativas',
    'Bom custo-benefício', 'Chegou tudo certinho', 'Compraria novamente', 'Lindo, igual à foto', 'Entrega dentro do prazo',
    'Estou satisfeito', 'Perfeito!', 'Muito obrigada', 'Produto excelente, entrega super rápida', 'Amei',
  ],
  neutral: [
    'Produto ok', 'Atendeu as expectativas, mas a embalagem veio amassada', 'O produto é bom, porém demorou um pouco para chegar',
    'Razoável', 'Esperava um pouco mais pela descrição', 'Veio sem manual, mas funciona', 'A cor é um pouco diferente da foto',
    'Material simples', 'Chegou no prazo, mas a nota fiscal não veio', 'Nada de especial',
  ],
  negative: [
    'Não recebi o produto', 'Ainda não recebi meu pedido', 'Produto veio com defeito', 'Veio diferente do anúncio',
    'Comprei dois e só recebi um', 'Entrega atrasou muito', 'Péssimo, não recomendo',
    'Produto de baixa qualidade, quebrou na primeira semana', 'Quero devolver e ter meu dinheiro de volta', 'Faltou uma peça',
    'Até agora nada, já passou do prazo de entrega', 'Recebi o produto errado', 'Ninguém responde meus e-mails',
  ],
  quoted: [
    'Na caixa dizia "original", mas o produto é falsificado', 'O rastreio mostra "entregue", mas não recebi nada',
    'Pedi a cor "azul" e veio preta', 'O anúncio dizia "pronta entrega", mas demorou 20 dias',
    'Apareceu a mensagem de erro "!" ao ligar', 'Veio escrito "amostra grátis" na embalagem',
  ],
} as const;

export const REVIEW_TITLES = {
  positive: ['Recomendo', 'Ótimo', 'Muito bom', 'Super recomendo', 'Excelente', 'Entrega rápida', 'Nota 10', 'Gostei', 'Top'],
  neutral: ['Bom', 'Regular', 'Bom, mas demorou', 'Ok', 'Médio'],
  negative: ['Não recebi', 'Péssimo', 'Produto com defeito', 'Atraso na entrega', 'Decepcionado', 'Não recomendo'],
} as const;
