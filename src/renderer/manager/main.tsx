import '../shared/theme.css';
import './manager.css';
import './manager-tables.css';

import { mount } from '../shared/mount.js';
import { ManagerWindow } from './ManagerWindow.js';

mount(<ManagerWindow />);
