/** How an area (000000 everywhere; XX0000 a province; else one district) selects divisions in SQL. */

/** The LIKE pattern of an area's divisions. */
export const areaPattern = (area: string): string =>
  area === '000000' ? '%' : area.endsWith('0000') ? `${area.slice(0, 2)}%` : area;
