// The training panel's tabs, in order: adding a tab is a row here and its View in a file of its own.
import { BoundaryView } from './boundaryView';
import { CurvesView } from './curvesView';
import { FitView } from './fitView';
import { LandscapeView } from './landscapeView';
import { TableView } from './tableView';
import type { View, ViewDeps } from './view';

export interface Tab {
  /** saved in PanelState.tab */
  id: string;
  title: string;
  View: new (deps: ViewDeps) => View;
}

export const TABS: readonly Tab[] = [
  { id: 'curves', title: 'Curves', View: CurvesView },
  { id: 'fit', title: 'Fit', View: FitView },
  { id: 'boundary', title: 'Decision boundary', View: BoundaryView },
  { id: 'landscape', title: 'Landscape', View: LandscapeView },
  { id: 'table', title: 'Table', View: TableView },
];
